/**
 * The manager's `drain`: the calling client drains (`health/draining.ts`). Any client can call
 * it, hypha-rpc workers included (`await server.drain(10)` or `server.drain({timeout: 10})`); the
 * SDK's `api.drain()` does. The timeout is in seconds, as hypha-rpc's timeouts are.
 */
import { MycelError, withParamNames, type CallContext } from '@mycel/protocol';
import { drainTimeoutMs } from '../health/draining.js';
import type { ManagerContext, ManagerFunctions } from './context.js';

/** The draining functions of the manager's service. */
export function drainingFunctions(ctx: ManagerContext): ManagerFunctions {
  return {
    drain: withParamNames((timeout: unknown, context: CallContext) => {
      const connection = ctx.clients.get(context.from);
      if (!connection?.isOpen) throw new MycelError('CONNECTION_CLOSED', `peer "${context.from}" is not connected`);
      return ctx.drains.drain(connection, drainTimeoutMs(timeout));
    }, ['timeout', 'context']),
  };
}
