/**
 * The hub-wide bound on bytes queued for clients that do not read fast enough. Each client has
 * its own bound (`maxBufferedBytes`), but those add up to no bound at all across many clients; this
 * one caps their sum (`maxTotalBufferedBytes`). When a frame would take the sum past it, the
 * client with the most queued is dropped (often the one being written to): the one holding the
 * most, not whoever happens to be sent to next.
 *
 * Cheap on the hot path: a connection reports its backlog only when it has one (the socket's
 * `bufferedAmount` before a write), so fast readers cost one comparison. The sum is then a little
 * stale for backlogs that drained since their last write; it is recounted exactly before anyone
 * is dropped.
 */

/** A connection as the account sees it. */
export interface Queue {
  /** Bytes waiting on its socket now. */
  readonly bufferedAmount: number;
  /** Whether it can still be written to. */
  readonly isOpen: boolean;
}

/** The sum of the backlogs of a hub's clients, and who goes when it is too large. */
export class QueuedBytes<Q extends Queue = Queue> {
  readonly #max: number;
  readonly #backlogs = new Map<Q, number>();
  #total = 0;

  /** @param max most bytes queued for all clients together */
  constructor(max: number) {
    this.#max = max;
  }

  /** The bound in force. */
  get max(): number {
    return this.#max;
  }

  /** Bytes queued for all clients together, as last reported. */
  get total(): number {
    return this.#total;
  }

  /**
   * Reports that `queue` has `queued` bytes waiting and is about to take `size` more. Returns
   * undefined when that fits, or the queue to drop (the largest, maybe `queue` itself).
   */
  admit(queue: Q, queued: number, size: number): Q | undefined {
    this.#set(queue, queued);
    if (this.#total + size <= this.#max) return undefined;
    for (const known of [...this.#backlogs.keys()]) this.#set(known, known.isOpen ? known.bufferedAmount : 0);
    if (this.#total + size <= this.#max) return undefined;
    let largest = queue;
    let most = queued + size;
    for (const [known, bytes] of this.#backlogs) {
      if (bytes > most) {
        largest = known;
        most = bytes;
      }
    }
    return largest;
  }

  /** Forgets a queue (its client is gone). */
  forget(queue: Q): void {
    this.#set(queue, 0);
  }

  #set(queue: Q, bytes: number): void {
    const previous = this.#backlogs.get(queue) ?? 0;
    if (bytes === previous) return;
    this.#total += bytes - previous;
    if (bytes > 0) this.#backlogs.set(queue, bytes);
    else this.#backlogs.delete(queue);
  }
}
