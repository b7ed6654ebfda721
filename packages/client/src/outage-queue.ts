/**
 * Calls made while the client reconnects, held until the link is back (`waitForReconnect`).
 * Each call's own timer keeps running in the peer, so a call waits at most its timeout; when the
 * link is back, only the calls still waiting go out (a call that timed out meanwhile must not
 * run late on a worker).
 */

/** Most calls held at once; past it a call rejects at once as without the option. */
export const MAX_HELD_CALLS = 10_000;

/** The held calls: encoded frames with their session ids, in the order they were made. */
export class OutageQueue {
  #held: { frame: Uint8Array; session: string }[] = [];

  /** Holds the frame of a call; `false` when the queue is full. */
  hold(frame: Uint8Array, session: string): boolean {
    if (this.#held.length >= MAX_HELD_CALLS) return false;
    this.#held.push({ frame, session });
    return true;
  }

  /** Sends, in order, the frames of the calls that still wait for their answer; empties the queue. */
  flush(send: (frame: Uint8Array) => void, isWaiting: (session: string) => boolean): number {
    const held = this.#held;
    this.#held = [];
    let sent = 0;
    for (const { frame, session } of held) {
      if (!isWaiting(session)) continue;
      send(frame);
      sent++;
    }
    return sent;
  }

  /** Drops every held frame (their calls are rejected by the peer). */
  clear(): void {
    this.#held = [];
  }
}
