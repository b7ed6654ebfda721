/**
 * The budget of manager operations that call out (selections, service fetches, pings) on a
 * client's behalf: each client may have a bounded number running at once, so one client cannot
 * fill the manager's tables. Work stops for a client that is gone: an operation does not start,
 * and does not go on past its next checkpoint, once its requester has left.
 */
import { MycelError, type CallContext } from '@mycel/protocol';

/** Throws `CONNECTION_CLOSED` when the requester of an operation is gone. */
export type Checkpoint = () => void;

/** Runs an operation on behalf of `context.from`; the operation may call its checkpoint between steps. */
export type CallBudget = <T>(context: CallContext, operation: (checkpoint: Checkpoint) => Promise<T>) => Promise<T>;

/**
 * Runs operations on behalf of clients, at most `limit` at once per client.
 *
 * @param isGone whether the client with this peer id has left
 */
export function createCallBudget(limit: number, isGone: (peerId: string) => boolean): CallBudget {
  const running = new Map<string, number>();
  return async (context, operation) => {
    const checkpoint: Checkpoint = () => {
      if (isGone(context.from)) throw new MycelError('CONNECTION_CLOSED', `"${context.from}" left: its request was dropped`);
    };
    checkpoint();
    const count = running.get(context.from) ?? 0;
    if (count >= limit) {
      throw new MycelError('LIMIT_EXCEEDED', `too many manager requests at once from "${context.from}" (limit ${limit})`);
    }
    running.set(context.from, count + 1);
    try {
      return await operation(checkpoint);
    } finally {
      const left = (running.get(context.from) ?? 1) - 1;
      if (left > 0) running.set(context.from, left);
      else running.delete(context.from);
    }
  };
}
