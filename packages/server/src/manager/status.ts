/**
 * The manager's `get_status`: the status of the caller's workspace, per service and instance, as
 * `GET /{ws}/status` gives it over HTTP (`status/workspace-status.ts`).
 */
import { MycelError, withParamNames, type CallContext } from '@mycel/protocol';
import type { ManagerContext, ManagerFunctions } from './context.js';

/** The status functions of the manager's service. */
export function statusFunctions(ctx: ManagerContext): ManagerFunctions {
  return {
    get_status: withParamNames((serviceId: unknown, context: CallContext) => {
      if (serviceId !== undefined && serviceId !== null && typeof serviceId !== 'string') {
        throw new MycelError('BAD_MESSAGE', 'service id must be a string');
      }
      return ctx.status(context.ws, serviceId ?? undefined);
    }, ['service_id', 'context']),
  };
}
