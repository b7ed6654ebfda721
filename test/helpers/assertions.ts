/**
 * Assertions on thrown errors, for unit tests.
 */
import { expect } from 'vitest';
import { isMycelError, type MycelError } from '@mycel/protocol';

/** Runs `fn`, expects it to throw a MycelError, and returns that error. */
export function thrownMycelError(fn: () => unknown): MycelError {
  try {
    fn();
  } catch (error) {
    expect(isMycelError(error)).toBe(true);
    return error as MycelError;
  }
  throw new Error('expected a throw');
}

/** Joins byte arrays into one. */
export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}
