/**
 * A msgpack structure check that allocates nothing: walks one encoded value and returns where it
 * ends, or throws `BAD_MESSAGE`. The hub uses it on every frame, because the bytes it forwards
 * must be readable by every official client, and one frame their decoder throws on stops a
 * hypha-rpc client from reading its socket. Checking costs a pass over the structure (and over
 * string bytes), never a decode of the payload.
 *
 * Beyond well-formedness, a value is refused when any official decoder throws on it
 * (`packages/protocol/README.md`, "What every decoder reads", has the list and where it comes
 * from): map keys other than strings, the key `__proto__`, strings that are not UTF-8,
 * extension types other than a well-formed timestamp.
 */
import { MycelError } from './errors.js';
import { isWellFormedUtf8 } from './utf8.js';

/** Extra rules and outputs of {@link skipMsgpack}. */
export interface ScanRules {
  /**
   * Keys the outermost map may not have, as UTF-8 bytes (a frame body may not carry the header
   * fields the hub stamps). Only checked when the value scanned is a map.
   */
  forbiddenKeys?: readonly Uint8Array[];
  /** When given, `values` is set to the number of msgpack values scanned (containers included). */
  stats?: { values: number };
}

/** The msgpack timestamp extension (-1), the only extension type every official client reads. */
const TIMESTAMP_EXT = 0xff;
const NANOSECONDS_PER_SECOND = 1_000_000_000;
const PROTO = [0x5f, 0x5f, 0x70, 0x72, 0x6f, 0x74, 0x6f, 0x5f, 0x5f]; // "__proto__"

/**
 * Returns the offset just past the msgpack value starting at `offset`. Throws `BAD_MESSAGE` when
 * the bytes end early, use the reserved byte 0xc1, nest deeper than `maxDepth`, or hold something
 * an official client cannot decode (see the file comment).
 */
export function skipMsgpack(bytes: Uint8Array, offset: number, maxDepth: number, rules?: ScanRules): number {
  // Iterative: a stack of "values still to skip" per open container (times two, plus one when
  // the container is a map), so depth costs no recursion.
  const pending: number[] = [];
  const forbidden = rules?.forbiddenKeys;
  let pos = offset;
  let remaining = 1;
  let inMap = false;
  let values = 0;
  for (;;) {
    while (remaining === 0) {
      const outer = pending.pop();
      if (outer === undefined) {
        if (rules?.stats) rules.stats.values = values;
        return pos;
      }
      remaining = Math.floor(outer / 2);
      inMap = outer % 2 === 1;
    }
    // In a map, children alternate key, value, starting with a key (the count is even).
    const isKey = inMap && remaining % 2 === 0;
    remaining--;
    values++;
    const type = byteAt(bytes, pos++);
    let children = 0;
    let isMap = false;
    let strLength = -1;
    if (type >= 0xa0 && type <= 0xbf) {
      strLength = type & 0x1f;
    } else if (type === 0xd9) {
      strLength = byteAt(bytes, pos++);
    } else if (type === 0xda) {
      strLength = u16(bytes, pos);
      pos += 2;
    } else if (type === 0xdb) {
      strLength = u32(bytes, pos);
      pos += 4;
    } else if (isKey) {
      // @msgpack/msgpack (hypha-rpc JS) takes strings and numbers, Python's msgpack strings and
      // bytes: only strings are read by both.
      throw malformed(`map keys must be strings, found ${typeName(type)}`);
    } else if (type <= 0x7f || type >= 0xe0 || (type >= 0xc0 && type <= 0xc3)) {
      if (type === 0xc1) throw malformed('reserved byte 0xc1');
    } else if (type >= 0x90 && type <= 0x9f) {
      children = type & 0x0f;
    } else if (type >= 0x80 && type <= 0x8f) {
      children = (type & 0x0f) * 2;
      isMap = true;
    } else {
      switch (type) {
        case 0xc4: pos += 1 + byteAt(bytes, pos); break; // bin8
        case 0xc5: pos += 2 + u16(bytes, pos); break; // bin16
        case 0xc6: pos += 4 + u32(bytes, pos); break; // bin32
        case 0xc7: pos = checkExtension(bytes, pos + 1, byteAt(bytes, pos)); break; // ext8
        case 0xc8: pos = checkExtension(bytes, pos + 2, u16(bytes, pos)); break; // ext16
        case 0xc9: pos = checkExtension(bytes, pos + 4, u32(bytes, pos)); break; // ext32
        case 0xca: pos += 4; break; // float32
        case 0xcb: pos += 8; break; // float64
        case 0xcc: case 0xd0: pos += 1; break;
        case 0xcd: case 0xd1: pos += 2; break;
        case 0xce: case 0xd2: pos += 4; break;
        case 0xcf: case 0xd3: pos += 8; break;
        case 0xd4: pos = checkExtension(bytes, pos, 1); break; // fixext1
        case 0xd5: pos = checkExtension(bytes, pos, 2); break;
        case 0xd6: pos = checkExtension(bytes, pos, 4); break;
        case 0xd7: pos = checkExtension(bytes, pos, 8); break;
        case 0xd8: pos = checkExtension(bytes, pos, 16); break;
        case 0xdc: children = u16(bytes, pos); pos += 2; break; // array16
        case 0xdd: children = u32(bytes, pos); pos += 4; break; // array32
        case 0xde: children = u16(bytes, pos) * 2; pos += 2; isMap = true; break; // map16
        case 0xdf: children = u32(bytes, pos) * 2; pos += 4; isMap = true; break; // map32
        default: throw malformed(`unknown type byte 0x${type.toString(16)}`);
      }
    }
    if (strLength >= 0) {
      const start = pos;
      pos += strLength;
      if (pos > bytes.length) throw malformed('frame ends inside a value');
      // Python's msgpack decodes every string strictly.
      if (!isWellFormedUtf8(bytes, start, pos)) throw malformed('string is not valid UTF-8');
      if (isKey) {
        // @msgpack/msgpack refuses this key wherever it is.
        if (equalsAscii(bytes, start, strLength, PROTO)) throw malformed('the map key "__proto__" is not allowed');
        if (forbidden && pending.length === 1) checkForbiddenKey(bytes, start, strLength, forbidden);
      }
      continue;
    }
    if (pos > bytes.length) throw malformed('frame ends inside a value');
    if (children > 0) {
      // Every child takes at least one byte: a count larger than what is left is a lie.
      if (children > bytes.length - pos) throw malformed('container larger than the frame');
      if (pending.length >= maxDepth) throw malformed(`nested deeper than ${maxDepth} levels`);
      pending.push(remaining * 2 + (inMap ? 1 : 0));
      remaining = children;
      inMap = isMap;
    }
  }
}

/** Whether `bytes[offset]` starts a msgpack map (the only shape a frame body may have). */
export function isMsgpackMap(bytes: Uint8Array, offset: number): boolean {
  const type = bytes[offset];
  return type !== undefined && ((type >= 0x80 && type <= 0x8f) || type === 0xde || type === 0xdf);
}

/**
 * Checks an extension whose type byte is at `pos` and whose data (`length` bytes) follows it;
 * returns the offset past it. Only a timestamp that every official client reads passes:
 * @msgpack/msgpack throws on other sizes, Python's msgpack on nanoseconds of a second or more.
 * Other types would reach msgpackr's own extensions (BigInt, typed arrays, records) in this
 * package's decoder, and no Hypha client sends them.
 */
function checkExtension(bytes: Uint8Array, pos: number, length: number): number {
  const extType = byteAt(bytes, pos);
  const data = pos + 1;
  if (data + length > bytes.length) throw malformed('frame ends inside a value');
  if (extType !== TIMESTAMP_EXT) {
    const signed = extType > 127 ? extType - 256 : extType;
    throw malformed(`msgpack extension type ${signed} is not allowed (only the timestamp, -1)`);
  }
  if (length === 8) {
    if (u32(bytes, data) / 4 >= NANOSECONDS_PER_SECOND) throw malformed('timestamp with nanoseconds of a second or more');
  } else if (length === 12) {
    if (u32(bytes, data) >= NANOSECONDS_PER_SECOND) throw malformed('timestamp with nanoseconds of a second or more');
  } else if (length !== 4) {
    throw malformed(`timestamp extension of ${length} bytes (expected 4, 8 or 12)`);
  }
  return data + length;
}

function checkForbiddenKey(bytes: Uint8Array, start: number, length: number, forbidden: readonly Uint8Array[]): void {
  for (const key of forbidden) {
    if (equalsAscii(bytes, start, length, key)) {
      throw malformed(`a frame body may not carry the header field "${String.fromCharCode(...key)}"`);
    }
  }
}

function equalsAscii(bytes: Uint8Array, start: number, length: number, key: ArrayLike<number>): boolean {
  if (key.length !== length) return false;
  for (let i = 0; i < length; i++) if (bytes[start + i] !== key[i]) return false;
  return true;
}

function typeName(type: number): string {
  if (type <= 0x7f || type >= 0xe0 || (type >= 0xcc && type <= 0xd3)) return 'an integer';
  if (type === 0xc0) return 'nil';
  if (type === 0xc2 || type === 0xc3) return 'a boolean';
  if (type === 0xca || type === 0xcb) return 'a float';
  if (type >= 0xc4 && type <= 0xc6) return 'binary';
  if ((type >= 0x90 && type <= 0x9f) || type === 0xdc || type === 0xdd) return 'an array';
  if ((type >= 0x80 && type <= 0x8f) || type === 0xde || type === 0xdf) return 'a map';
  if ((type >= 0xc7 && type <= 0xc9) || (type >= 0xd4 && type <= 0xd8)) return 'an extension';
  return `type byte 0x${type.toString(16)}`;
}

function byteAt(bytes: Uint8Array, pos: number): number {
  const b = bytes[pos];
  if (b === undefined) throw malformed('frame ends inside a value');
  return b;
}

function u16(bytes: Uint8Array, pos: number): number {
  return byteAt(bytes, pos) * 0x100 + byteAt(bytes, pos + 1);
}

function u32(bytes: Uint8Array, pos: number): number {
  return u16(bytes, pos) * 0x10000 + u16(bytes, pos + 2);
}

function malformed(detail: string): MycelError {
  return new MycelError('BAD_MESSAGE', `malformed msgpack frame: ${detail}`);
}
