/**
 * UTF-8 well-formedness, checked in place. The official Python client decodes msgpack strings
 * strictly (`raw=False`): one ill-formed byte sequence in any string of a frame makes its decoder
 * throw, so a string must be valid UTF-8 before the hub forwards it. "Valid" is the Unicode
 * definition (Table 3-7 of the standard, the same as a fatal `TextDecoder`): no overlong forms, no
 * surrogates (U+D800-DFFF), nothing above U+10FFFF.
 */

/** Whether `bytes[start, end)` is well-formed UTF-8. Allocates nothing. */
export function isWellFormedUtf8(bytes: Uint8Array, start: number, end: number): boolean {
  let i = start;
  while (i < end) {
    const b0 = bytes[i] as number;
    if (b0 < 0x80) {
      i++;
      // Then ASCII runs, eight bytes a step: most strings on the wire are ASCII.
      while (i + 8 <= end && ((bytes[i] as number) | (bytes[i + 1] as number) | (bytes[i + 2] as number) | (bytes[i + 3] as number) |
        (bytes[i + 4] as number) | (bytes[i + 5] as number) | (bytes[i + 6] as number) | (bytes[i + 7] as number)) < 0x80) {
        i += 8;
      }
      continue;
    }
    if (b0 >= 0xc2 && b0 <= 0xdf) {
      if (i + 1 >= end || !isContinuation(bytes[i + 1] as number)) return false;
      i += 2;
      continue;
    }
    if (b0 >= 0xe0 && b0 <= 0xef) {
      if (i + 2 >= end) return false;
      const b1 = bytes[i + 1] as number;
      // E0 needs A0-BF (no overlong forms); ED needs 80-9F (no surrogates).
      const low = b0 === 0xe0 ? 0xa0 : 0x80;
      const high = b0 === 0xed ? 0x9f : 0xbf;
      if (b1 < low || b1 > high || !isContinuation(bytes[i + 2] as number)) return false;
      i += 3;
      continue;
    }
    if (b0 >= 0xf0 && b0 <= 0xf4) {
      if (i + 3 >= end) return false;
      const b1 = bytes[i + 1] as number;
      // F0 needs 90-BF (no overlong forms); F4 needs 80-8F (nothing above U+10FFFF).
      const low = b0 === 0xf0 ? 0x90 : 0x80;
      const high = b0 === 0xf4 ? 0x8f : 0xbf;
      if (b1 < low || b1 > high || !isContinuation(bytes[i + 2] as number) || !isContinuation(bytes[i + 3] as number)) {
        return false;
      }
      i += 4;
      continue;
    }
    return false;
  }
  return true;
}

function isContinuation(byte: number): boolean {
  return (byte & 0xc0) === 0x80;
}
