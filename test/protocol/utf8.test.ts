import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isWellFormedUtf8 } from '@mycel/protocol';

const fatal = new TextDecoder('utf-8', { fatal: true });

function decodesStrictly(bytes: Uint8Array): boolean {
  try {
    fatal.decode(bytes);
    return true;
  } catch {
    return false;
  }
}

describe('isWellFormedUtf8', () => {
  it('agrees with a fatal TextDecoder on random bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 24 }), (bytes) => {
        expect(isWellFormedUtf8(bytes, 0, bytes.length)).toBe(decodesStrictly(bytes));
      }),
      { numRuns: 5000 },
    );
  });

  it('agrees with a fatal TextDecoder on bytes built from sequence starts and continuations', () => {
    const byte = fc.oneof(fc.integer({ min: 0x80, max: 0xbf }), fc.integer({ min: 0xc0, max: 0xff }), fc.integer({ min: 0, max: 0x7f }));
    fc.assert(
      fc.property(fc.array(byte, { maxLength: 12 }), (list) => {
        const bytes = Uint8Array.from(list);
        expect(isWellFormedUtf8(bytes, 0, bytes.length)).toBe(decodesStrictly(bytes));
      }),
      { numRuns: 5000 },
    );
  });

  it('accepts every string a TextEncoder writes, and checks only the range it is given', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 20 }), (text) => {
        const bytes = new TextEncoder().encode(text);
        expect(isWellFormedUtf8(bytes, 0, bytes.length)).toBe(true);
      }),
    );
    const framed = Uint8Array.of(0xff, 0x61, 0xc3, 0xa9, 0xff);
    expect(isWellFormedUtf8(framed, 1, 4)).toBe(true);
    expect(isWellFormedUtf8(framed, 1, 3)).toBe(false);
  });
});
