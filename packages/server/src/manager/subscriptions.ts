/**
 * Subscriptions: the manager's `subscribe` and `unsubscribe`. A client's event types live on its
 * connection, where the router reads them when it broadcasts; their number is bounded.
 */
import { MycelError, withParamNames, type CallContext } from '@mycel/protocol';
import type { ManagerContext, ManagerFunctions } from './context.js';

/** The subscription functions of the manager's service. */
export function subscriptionFunctions(ctx: ManagerContext): ManagerFunctions {
  const { clients } = ctx;
  const limit = ctx.options.maxSubscriptionsPerClient;
  return {
    subscribe: withParamNames((types: unknown, context: CallContext) => {
      const connection = clients.get(context.from);
      if (!connection) throw new MycelError('CONNECTION_CLOSED', `client "${context.from}" is not connected`);
      for (const type of eventTypes(types)) {
        if (connection.subscriptions.size >= limit && !connection.subscriptions.has(type)) {
          throw new MycelError('LIMIT_EXCEEDED', `too many subscriptions (limit ${limit})`);
        }
        connection.subscriptions.add(type);
      }
      return true;
    }, ['event_types', 'context']),

    unsubscribe: withParamNames((types: unknown, context: CallContext) => {
      const connection = clients.get(context.from);
      if (!connection) return true;
      for (const type of eventTypes(types)) connection.subscriptions.delete(type);
      return true;
    }, ['event_types', 'context']),
  };
}

function eventTypes(types: unknown): string[] {
  const list = typeof types === 'string' ? [types] : Array.isArray(types) ? types : undefined;
  if (!list || list.some((t) => typeof t !== 'string' || t === '' || t.length > 128)) {
    throw new MycelError('BAD_MESSAGE', 'event types must be a string or a list of strings (1 to 128 characters)');
  }
  return list as string[];
}
