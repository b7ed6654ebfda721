/**
 * Frame codec. One binary WebSocket message is two concatenated msgpack objects: the header
 * (`main`) and an optional body (`extra`). Plain msgpack only: no records extension, `undefined`
 * written as nil, 64-bit integers read as numbers, so `@msgpack/msgpack` (used by hypha-rpc) reads
 * what we write and the other way round.
 */
import { Packr } from 'msgpackr';
import { MycelError } from './errors.js';
import { DEFAULT_LIMITS, type DecodeBounds } from './limits.js';
import { isMsgpackMap, skipMsgpack, type ScanRules } from './scan.js';

const packr = new Packr({
  useRecords: false,
  encodeUndefinedAsNil: true,
  mapsAsObjects: true,
  int64AsType: 'number',
  variableMapSize: true,
});

/** A frame split into its header and the untouched bytes that follow it. */
export interface SplitFrame {
  main: unknown;
  /** Offset of the first byte after the header object. */
  restOffset: number;
}

/** Packs one value as msgpack. */
export function packValue(value: unknown): Uint8Array {
  return packr.pack(value);
}

/** Unpacks one msgpack value; throws `BAD_MESSAGE` on malformed input. */
export function unpackValue(bytes: Uint8Array, maxDepth = DEFAULT_LIMITS.maxBodyDepth): unknown {
  // Check the structure first: it rejects what msgpackr would accept loosely (0xc1, trailing
  // bytes) and bounds nesting without recursion.
  if (skipMsgpack(bytes, 0, maxDepth) !== bytes.length) {
    throw new MycelError('BAD_MESSAGE', 'malformed msgpack frame: bytes after the value');
  }
  return unpackScanned(bytes);
}

/** Unpacks bytes that {@link skipMsgpack} already found to be exactly one well-formed value. */
function unpackScanned(bytes: Uint8Array): unknown {
  try {
    return packr.unpack(bytes);
  } catch (error) {
    throw badFrame(error);
  }
}

/** Encodes a frame from its header and optional body. */
export function encodeFrame(main: object, extra?: object): Uint8Array {
  const head = packr.pack(main);
  if (extra === undefined) return head;
  return concatBytes(head, packr.pack(extra));
}

/**
 * Decodes only the header object of a frame and reports where it ends, so a router can rewrite
 * the header and forward the body without decoding it.
 */
export function decodeHead(bytes: Uint8Array, maxDepth = DEFAULT_LIMITS.maxHeaderDepth): SplitFrame {
  if (bytes.length === 0) throw new MycelError('BAD_MESSAGE', 'empty frame');
  // Find the header's end (and refuse absurd nesting) before decoding anything.
  const restOffset = skipMsgpack(bytes, 0, maxDepth);
  return { main: unpackScanned(bytes.subarray(0, restOffset)), restOffset };
}

/**
 * Header fields a frame body may not carry. hypha-rpc (JS and Python) merges the body over the
 * header before it checks permissions, and Python builds the call context (`ctx`) before that
 * merge, so a body with any of these would override what the hub stamped or routed by. No
 * official client puts them there (bodies hold `args`, `with_kwargs`, `promise`, `t`, `_enc`,
 * `data`).
 */
export const RESERVED_BODY_KEYS: readonly string[] = Object.freeze([
  'from',
  'to',
  'ws',
  'user',
  'ctx',
  'type',
  'method',
  'session',
  'parent',
]);
const RESERVED_BODY_KEY_BYTES = RESERVED_BODY_KEYS.map((key) => Uint8Array.from(key, (c) => c.charCodeAt(0)));

/** Rules of the body scan; one object for every call (the scan is synchronous). */
const BODY_RULES = { forbiddenKeys: RESERVED_BODY_KEY_BYTES, stats: { values: 0 } } satisfies ScanRules;

/**
 * Checks that the body after `restOffset` is absent or exactly one well-formed msgpack map that
 * every official client can decode and that carries no {@link RESERVED_BODY_KEYS} at its top
 * level, without decoding it. Throws `BAD_MESSAGE` otherwise. Returns the number of msgpack values
 * in the body, containers included (0 without a body), so callers can bound what they decode.
 */
export function checkBody(bytes: Uint8Array, restOffset: number, maxDepth = DEFAULT_LIMITS.maxBodyDepth): number {
  if (restOffset >= bytes.length) return 0;
  if (!isMsgpackMap(bytes, restOffset)) throw new MycelError('BAD_MESSAGE', 'frame body must be a msgpack map');
  if (skipMsgpack(bytes, restOffset, maxDepth, BODY_RULES) !== bytes.length) {
    throw new MycelError('BAD_MESSAGE', 'frame has bytes after its body');
  }
  return BODY_RULES.stats.values;
}

/** Decodes a whole frame: header, and body if any. */
export function decodeFrame(bytes: Uint8Array): { main: unknown; extra: unknown } {
  const { main, restOffset } = decodeHead(bytes);
  return { main, extra: decodeBody(bytes, restOffset) };
}

/**
 * Decodes the body of a frame (undefined when there is none) after {@link checkBody}. With
 * `bounds`, a body larger than they allow is refused with `LIMIT_EXCEEDED` before it is decoded.
 */
export function decodeBody(bytes: Uint8Array, restOffset: number, bounds?: DecodeBounds): unknown {
  if (restOffset >= bytes.length) return undefined;
  const size = bytes.length - restOffset;
  if (bounds && size > bounds.maxBodyBytes) {
    throw new MycelError('LIMIT_EXCEEDED', `message body of ${size} bytes is larger than this endpoint accepts (limit ${bounds.maxBodyBytes})`);
  }
  const values = checkBody(bytes, restOffset);
  if (bounds) checkBodyValues(values, bounds);
  return unpackScanned(bytes.subarray(restOffset));
}

/** Throws `LIMIT_EXCEEDED` when a body of `values` msgpack values exceeds `bounds`. */
export function checkBodyValues(values: number, bounds: DecodeBounds): void {
  if (values > bounds.maxBodyValues) {
    throw new MycelError('LIMIT_EXCEEDED', `message body of ${values} values is more than this endpoint accepts (limit ${bounds.maxBodyValues})`);
  }
}

/**
 * A header field packed once (key and value) and spliced into many headers: the hub stamps each
 * sender's `user` this way instead of packing the same record into every frame.
 */
export interface PackedField {
  readonly key: string;
  readonly value: unknown;
  /** The key and the value, packed one after the other. */
  readonly bytes: Uint8Array;
}

/** Packs a header field for {@link replaceHead}. */
export function packField(key: string, value: unknown): PackedField {
  // Copied out into its own memory: a field lives as long as its connection, and a slice of a
  // pooled buffer would keep the whole pool block alive with it.
  return { key, value, bytes: new Uint8Array(concatBytes(packr.pack(key), packr.pack(value))) };
}

/**
 * Re-packs a rewritten header and appends the original body bytes. With `field`, the header also
 * gets that field (replacing any it had), spliced in from its packed bytes.
 */
export function replaceHead(main: object, bytes: Uint8Array, restOffset: number, field?: PackedField): Uint8Array {
  const header = main as Record<string, unknown>;
  if (field !== undefined && field.key in header) delete header[field.key];
  const head = packr.pack(main);
  const body = restOffset < bytes.length ? bytes.subarray(restOffset) : undefined;
  // A fixmap (0x80-0x8e) takes one more entry by bumping its first byte; anything else is rare
  // enough to be packed again with the field as a plain value.
  if (field !== undefined && !(head[0] !== undefined && head[0] >= 0x80 && head[0] < 0x8f)) {
    header[field.key] = field.value;
    return concatBytes(packr.pack(main), body);
  }
  const out = concatBytes(head, field?.bytes, body);
  if (field !== undefined) out[0] = (out[0] as number) + 1;
  return out;
}

/** The host's `Buffer.allocUnsafe` (pooled and not zeroed) where there is one. */
const allocUnsafe = (globalThis as { Buffer?: { allocUnsafe(size: number): Uint8Array } }).Buffer?.allocUnsafe;

/** Joins byte arrays (skipping undefined ones) into a new array. */
function concatBytes(...parts: (Uint8Array | undefined)[]): Uint8Array {
  let size = 0;
  for (const part of parts) if (part !== undefined) size += part.length;
  const out = allocUnsafe ? allocUnsafe(size) : new Uint8Array(size);
  let offset = 0;
  for (const part of parts) {
    if (part === undefined) continue;
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

function badFrame(error: unknown): MycelError {
  // A RangeError here is a stack overflow from absurd nesting: report it as what it is.
  const detail = error instanceof RangeError ? 'nesting too deep' : error instanceof Error ? error.message : String(error);
  return new MycelError('BAD_MESSAGE', `malformed msgpack frame: ${detail}`, { cause: error });
}

/**
 * Merges a frame's header and body into one message. The header wins: the hub stamps `from`,
 * `to`, `ws` and `user` there and never reads the body, so a body cannot override them.
 */
export function mergeMessage(main: unknown, extra: unknown): Record<string, unknown> {
  if (main === null || typeof main !== 'object' || Array.isArray(main)) {
    throw new MycelError('BAD_MESSAGE', 'frame header is not a map');
  }
  // Object.assign, not spread: it is the same result and several times faster on this hot path.
  const header = main as Record<string, unknown>;
  if (extra === null || typeof extra !== 'object' || Array.isArray(extra)) return Object.assign({}, header);
  return Object.assign({}, extra as Record<string, unknown>, header);
}
