/**
 * Calls that wait in the hub for an instance below its `max_concurrency`. Each waits at most
 * until shortly before its caller would give up, then fails with `LIMIT_EXCEEDED`; the queue is
 * bounded per caller, in calls and in bytes, so one caller cannot fill it for everyone. Calls
 * leave in order of arrival whenever capacity frees up (an answer, a departure, a new instance):
 * the router calls {@link CallQueue.drain}, and the queue asks it to try each waiting call.
 */

/** Bounds of the queue. */
export interface CallQueueLimits {
  /** Most calls one caller may have waiting. */
  maxCallsPerCaller: number;
  /** Most bytes of frames one caller may have waiting. */
  maxBytesPerCaller: number;
}

/** A waiting call as the queue sees it. */
export interface Waiting {
  /** The caller's peer id. */
  readonly caller: string;
  /** What the call waits for (a virtual target, or the one instance it names): calls waiting for
   * the same thing leave in order, and one that cannot go yet holds back the ones behind it. */
  readonly waitsFor: object;
  /** Size of the frame held. */
  readonly bytes: number;
}

/** What trying a waiting call did. */
export type TryOutcome = 'sent' | 'failed' | 'wait';

/** What the queue needs from the router. */
export interface CallQueueHandlers<W extends Waiting> {
  /** Sends `call` if it can go now ('sent'), fails it if it never can ('failed'), else 'wait'. */
  attempt(call: W): TryOutcome;
  /** Ends `call` with `LIMIT_EXCEEDED` after waiting `waitedMs`. */
  expire(call: W, waitedMs: number): void;
}

interface Entry<W> {
  readonly call: W;
  readonly timer: ReturnType<typeof setTimeout>;
  readonly since: number;
}

/** The hub's queue of calls waiting for capacity. */
export class CallQueue<W extends Waiting> {
  readonly #limits: CallQueueLimits;
  readonly #handlers: CallQueueHandlers<W>;
  readonly #entries: Entry<W>[] = [];
  readonly #perCaller = new Map<string, { calls: number; bytes: number }>();
  #isDraining = false;

  constructor(limits: CallQueueLimits, handlers: CallQueueHandlers<W>) {
    this.#limits = limits;
    this.#handlers = handlers;
  }

  /** How many calls wait. */
  get size(): number {
    return this.#entries.length;
  }

  /** The limits in force. */
  get limits(): Readonly<CallQueueLimits> {
    return this.#limits;
  }

  /**
   * Queues `call` for at most `waitMs`. Returns false (and keeps nothing) when its caller
   * already has the most calls or bytes waiting.
   */
  enqueue(call: W, waitMs: number): boolean {
    const usage = this.#perCaller.get(call.caller) ?? { calls: 0, bytes: 0 };
    if (usage.calls + 1 > this.#limits.maxCallsPerCaller || usage.bytes + call.bytes > this.#limits.maxBytesPerCaller) return false;
    usage.calls++;
    usage.bytes += call.bytes;
    this.#perCaller.set(call.caller, usage);
    const since = Date.now();
    const timer = setTimeout(() => {
      if (this.#remove(call)) this.#handlers.expire(call, Date.now() - since);
    }, Math.max(0, waitMs));
    timer.unref?.();
    this.#entries.push({ call, timer, since });
    return true;
  }

  /** Tries the waiting calls in order of arrival; sends what can go and fails what never can. */
  drain(): void {
    if (this.#entries.length === 0 || this.#isDraining) return;
    // Sending a call can end in an answer that drains again (the manager answers in-process).
    this.#isDraining = true;
    try {
      const held = new Set<object>();
      for (let i = 0; i < this.#entries.length; ) {
        const entry = this.#entries[i] as Entry<W>;
        if (held.has(entry.call.waitsFor)) {
          i++;
          continue;
        }
        const outcome = this.#handlers.attempt(entry.call);
        if (outcome === 'wait') {
          held.add(entry.call.waitsFor);
          i++;
          continue;
        }
        this.#entries.splice(i, 1);
        this.#release(entry);
      }
    } finally {
      this.#isDraining = false;
    }
  }

  /** Drops the waiting calls of `caller` (it left); nothing is sent for them. */
  dropCaller(caller: string): void {
    if (!this.#perCaller.has(caller)) return;
    for (let i = this.#entries.length - 1; i >= 0; i--) {
      const entry = this.#entries[i] as Entry<W>;
      if (entry.call.caller !== caller) continue;
      this.#entries.splice(i, 1);
      this.#release(entry);
    }
  }

  #remove(call: W): boolean {
    const index = this.#entries.findIndex((entry) => entry.call === call);
    if (index < 0) return false;
    const [entry] = this.#entries.splice(index, 1);
    if (entry) this.#release(entry);
    return true;
  }

  #release(entry: Entry<W>): void {
    clearTimeout(entry.timer);
    const usage = this.#perCaller.get(entry.call.caller);
    if (!usage) return;
    usage.calls--;
    usage.bytes -= entry.call.bytes;
    if (usage.calls <= 0) this.#perCaller.delete(entry.call.caller);
  }
}
