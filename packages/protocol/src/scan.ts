/**
 * A msgpack structure check that allocates nothing: walks one encoded value and returns where it
 * ends, or throws `BAD_MESSAGE`. The hub uses it to make sure the body it forwards untouched is
 * well-formed, because some clients (hypha-rpc among them) stop working on a malformed frame;
 * checking costs a pass over the structure, never a decode of the payload.
 */
import { MycelError } from './errors.js';

/**
 * Returns the offset just past the msgpack value starting at `offset`. Throws `BAD_MESSAGE` when
 * the bytes end early, use the reserved byte 0xc1, or nest deeper than `maxDepth`.
 */
export function skipMsgpack(bytes: Uint8Array, offset: number, maxDepth: number): number {
  // Iterative: a stack of "values still to skip" per open container, so depth costs no recursion.
  const pending: number[] = [];
  let pos = offset;
  let remaining = 1;
  for (;;) {
    while (remaining === 0) {
      const outer = pending.pop();
      if (outer === undefined) return pos;
      remaining = outer;
    }
    remaining--;
    const type = byteAt(bytes, pos++);
    let children = 0;
    if (type <= 0x7f || type >= 0xe0 || (type >= 0xc0 && type <= 0xc3)) {
      if (type === 0xc1) throw malformed('reserved byte 0xc1');
    } else if (type >= 0xa0 && type <= 0xbf) {
      pos += type & 0x1f;
    } else if (type >= 0x90 && type <= 0x9f) {
      children = type & 0x0f;
    } else if (type >= 0x80 && type <= 0x8f) {
      children = (type & 0x0f) * 2;
    } else {
      switch (type) {
        case 0xc4: case 0xd9: pos += 1 + byteAt(bytes, pos); break; // bin8, str8
        case 0xc5: case 0xda: pos += 2 + u16(bytes, pos); break; // bin16, str16
        case 0xc6: case 0xdb: pos += 4 + u32(bytes, pos); break; // bin32, str32
        case 0xc7: pos += 2 + byteAt(bytes, pos); break; // ext8
        case 0xc8: pos += 3 + u16(bytes, pos); break; // ext16
        case 0xc9: pos += 5 + u32(bytes, pos); break; // ext32
        case 0xca: pos += 4; break; // float32
        case 0xcb: pos += 8; break; // float64
        case 0xcc: case 0xd0: pos += 1; break;
        case 0xcd: case 0xd1: pos += 2; break;
        case 0xce: case 0xd2: pos += 4; break;
        case 0xcf: case 0xd3: pos += 8; break;
        case 0xd4: pos += 2; break; // fixext1
        case 0xd5: pos += 3; break;
        case 0xd6: pos += 5; break;
        case 0xd7: pos += 9; break;
        case 0xd8: pos += 17; break;
        case 0xdc: children = u16(bytes, pos); pos += 2; break; // array16
        case 0xdd: children = u32(bytes, pos); pos += 4; break; // array32
        case 0xde: children = u16(bytes, pos) * 2; pos += 2; break; // map16
        case 0xdf: children = u32(bytes, pos) * 2; pos += 4; break; // map32
        default: throw malformed(`unknown type byte 0x${type.toString(16)}`);
      }
    }
    if (pos > bytes.length) throw malformed('frame ends inside a value');
    if (children > 0) {
      // Every child takes at least one byte: a count larger than what is left is a lie.
      if (children > bytes.length - pos) throw malformed('container larger than the frame');
      if (pending.length >= maxDepth) throw malformed(`nested deeper than ${maxDepth} levels`);
      pending.push(remaining);
      remaining = children;
    }
  }
}

/** Whether `bytes[offset]` starts a msgpack map (the only shape a frame body may have). */
export function isMsgpackMap(bytes: Uint8Array, offset: number): boolean {
  const type = bytes[offset];
  return type !== undefined && ((type >= 0x80 && type <= 0x8f) || type === 0xde || type === 0xdf);
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
