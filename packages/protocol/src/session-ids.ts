/**
 * Session ids that cannot be guessed from one another, at nearly the cost of a counter. A call's
 * session id is seen by the peer it calls (and the hub); knowing it must not let anyone else act
 * on the call, and ids that follow from one another would let anyone who saw one aim at the
 * next. Each id is a per-peer random prefix, 48 random bits (8 characters) from a pool refilled
 * 512 ids at a time, and a counter that keeps ids unique for the peer's lifetime. About 0.1 µs
 * more than a bare counter (`docs/benchmarks.md`, "counter session ids").
 */
import { nanoid, random, urlAlphabet } from 'nanoid';

const CHARS_PER_ID = 8;
const POOL_BYTES = CHARS_PER_ID * 512;
/** 64 characters, none of them a `.` (which separates a session from its callback). */
const ALPHABET = Array.from(urlAlphabet, (c) => c.charCodeAt(0));

/** The Web Crypto random source (Node 19+, browsers, Deno, Bun). */
const webCrypto = (globalThis as { crypto?: { getRandomValues(array: Uint8Array): Uint8Array } }).crypto;

/** Makes the session ids of one peer. */
export class SessionIds {
  readonly #prefix = nanoid(8);
  readonly #pool = new Uint8Array(POOL_BYTES);
  #counter = 0;
  #at = POOL_BYTES;

  /** A new id of letters, digits, `_` and `-`. */
  next(): string {
    if (this.#at >= POOL_BYTES) this.#refill();
    const p = this.#pool;
    const i = this.#at;
    this.#at += CHARS_PER_ID;
    const random = String.fromCharCode(
      char(p[i]),
      char(p[i + 1]),
      char(p[i + 2]),
      char(p[i + 3]),
      char(p[i + 4]),
      char(p[i + 5]),
      char(p[i + 6]),
      char(p[i + 7]),
    );
    return `${this.#prefix}${random}${(this.#counter++).toString(36)}`;
  }

  #refill(): void {
    if (webCrypto) {
      webCrypto.getRandomValues(this.#pool);
    } else {
      // Copied: `random` returns a view of nanoid's own pool, whose bytes it hands out again.
      for (let at = 0; at < POOL_BYTES; at += 256) this.#pool.set(random(256), at);
    }
    this.#at = 0;
  }
}

function char(byte: number | undefined): number {
  return ALPHABET[(byte as number) & 63] as number;
}
