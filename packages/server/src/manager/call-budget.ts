/**
 * The budget of manager operations that call out (selections, service fetches, pings) on a
 * client's behalf: each client may have a bounded number running at once, so one client cannot
 * fill the manager's tables.
 */
import { MycelError, type CallContext } from '@mycel/protocol';

/** Runs operations on behalf of clients, at most `limit` at once per client. */
export function createCallBudget(limit: number): <T>(context: CallContext, operation: () => Promise<T>) => Promise<T> {
  const running = new Map<string, number>();
  return async (context, operation) => {
    const count = running.get(context.from) ?? 0;
    if (count >= limit) {
      throw new MycelError('LIMIT_EXCEEDED', `too many manager requests at once from "${context.from}" (limit ${limit})`);
    }
    running.set(context.from, count + 1);
    try {
      return await operation();
    } finally {
      const left = (running.get(context.from) ?? 1) - 1;
      if (left > 0) running.set(context.from, left);
      else running.delete(context.from);
    }
  };
}
