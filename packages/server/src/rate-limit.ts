/**
 * Per-client message rate limit. A client over its rate is not disconnected: its messages wait in
 * a short queue and the hub stops reading its socket (TCP backpressure does the rest) until the
 * token bucket has refilled, so a burst slows the sender down and nobody else. Only a client that
 * keeps pushing past a bounded queue is dropped.
 */

/** Longest debt a {@link TokenBucket} takes on, in seconds of its rate. */
export const MAX_DEBT_S = 60;

/** A token bucket refilled continuously at `ratePerSecond`, holding at most `burst` tokens. */
export class TokenBucket {
  readonly #ratePerMs: number;
  readonly #burst: number;
  readonly #now: () => number;
  #tokens: number;
  #updatedAt: number;

  constructor(ratePerSecond: number, burst: number, now: () => number = Date.now) {
    if (!(ratePerSecond > 0) || !(burst >= 1)) throw new RangeError('rate must be > 0 and burst >= 1');
    this.#ratePerMs = ratePerSecond / 1000;
    this.#burst = burst;
    this.#now = now;
    this.#tokens = burst;
    this.#updatedAt = now();
  }

  /** Tokens there now; negative while a debt (see {@link charge}) is being paid off. */
  get available(): number {
    this.#refill();
    return this.#tokens;
  }

  /** Takes a token and returns 0, or returns how many ms until one is there (taking nothing). */
  take(): number {
    this.#refill();
    if (this.#tokens >= 1) {
      this.#tokens -= 1;
      return 0;
    }
    return Math.max(1, Math.ceil((1 - this.#tokens) / this.#ratePerMs));
  }

  /**
   * Takes `n` tokens at once, into debt if need be (at most {@link MAX_DEBT_S} seconds of the
   * rate): the work a message caused beyond itself, such as the copies of a broadcast. The
   * messages that follow wait until the debt is paid off.
   */
  charge(n: number): void {
    this.#refill();
    this.#tokens = Math.max(this.#tokens - n, -MAX_DEBT_S * 1000 * this.#ratePerMs);
  }

  #refill(): void {
    const now = this.#now();
    this.#tokens = Math.min(this.#burst, this.#tokens + (now - this.#updatedAt) * this.#ratePerMs);
    this.#updatedAt = now;
  }
}

/** What a {@link RateGate} drives. */
export interface RateGateOptions<T> {
  bucket: TokenBucket;
  /** Handles one admitted message. */
  deliver: (item: T) => void;
  /** Stops reading from the source (called when messages start to wait). */
  pause: () => void;
  /** Reads from the source again (called when the queue is empty). */
  resume: () => void;
  /** Called once when more than `maxQueued` messages wait: the source should be dropped. */
  overflow: (queued: number) => void;
  /** Most messages allowed to wait. */
  maxQueued: number;
}

/** Admits messages at the bucket's rate, queueing (boundedly) the ones that come too fast. */
export class RateGate<T> {
  readonly #o: RateGateOptions<T>;
  readonly #queue: T[] = [];
  #timer: ReturnType<typeof setTimeout> | undefined;
  #isClosed = false;

  constructor(options: RateGateOptions<T>) {
    this.#o = options;
  }

  /** Offers one message. */
  push(item: T): void {
    if (this.#isClosed) return;
    if (this.#queue.length === 0 && this.#o.bucket.take() === 0) {
      this.#o.deliver(item);
      return;
    }
    this.#queue.push(item);
    if (this.#queue.length > this.#o.maxQueued) {
      this.close();
      this.#o.overflow(this.#o.maxQueued);
      return;
    }
    if (this.#queue.length === 1) {
      this.#o.pause();
      this.#drainLater();
    }
  }

  /** Drops what waits and stops the drain timer. */
  close(): void {
    this.#isClosed = true;
    this.#queue.length = 0;
    clearTimeout(this.#timer);
  }

  #drainLater(): void {
    const waitMs = this.#o.bucket.take();
    if (waitMs === 0) {
      this.#drain(true);
      return;
    }
    this.#timer = setTimeout(() => this.#drain(false), waitMs);
    this.#timer.unref?.();
  }

  #drain(hasToken: boolean): void {
    let token = hasToken;
    while (!this.#isClosed && this.#queue.length > 0) {
      if (!token && this.#o.bucket.take() > 0) {
        this.#drainLater();
        return;
      }
      token = false;
      this.#o.deliver(this.#queue.shift() as T);
    }
    if (!this.#isClosed) this.#o.resume();
  }
}
