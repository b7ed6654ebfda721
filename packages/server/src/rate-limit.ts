/**
 * Per-client message rate limit: a token bucket. A client over its rate is not disconnected; the
 * hub stops reading its socket until the bucket has refilled (TCP backpressure does the rest),
 * so a burst slows the sender down and nobody else.
 */

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

  /**
   * Takes one token. Returns 0 when one was there, otherwise how many milliseconds the caller
   * should pause before the bucket is back to zero (the debt is kept, so pauses add up).
   */
  take(): number {
    const now = this.#now();
    this.#tokens = Math.min(this.#burst, this.#tokens + (now - this.#updatedAt) * this.#ratePerMs);
    this.#updatedAt = now;
    this.#tokens -= 1;
    return this.#tokens >= 0 ? 0 : Math.ceil(-this.#tokens / this.#ratePerMs);
  }
}
