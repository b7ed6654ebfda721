/**
 * The `_rtype` value encodings carried inside RPC arguments and results.
 *
 * Plain data (numbers, strings, booleans, null, arrays, maps, `Uint8Array`) travels as msgpack.
 * Functions become `{_rtype: "method", ...}` descriptors, errors become `{_rtype: "error", ...}`,
 * typed arrays other than `Uint8Array` become `{_rtype: "typedarray", ...}`, an {@link NdArray}
 * becomes `{_rtype: "ndarray", ...}` (numpy's form) and iterators become `{_rtype: "generator",
 * ...}` (async generators on the receiving side). The peer supplies how
 * a local function is exported and how a remote one is called; this module only walks values.
 */
import { errorToPayload, MycelError } from './errors.js';
import { exportIterator, importIterator, isGeneratorRecord, isIteratorLike } from './generators.js';
import { isLongLivedFunction, isLongLivedObject } from './long-lived.js';
import { decodeNdArray, encodeNdArray, NdArray } from './ndarray.js';

/** The wire form of a callable: a method on a remote peer. */
export interface MethodDescriptor {
  _rtype: 'method';
  /** The peer that owns the function: `workspace/client_id`. */
  _rtarget: string;
  /** The dotted method path on that peer. */
  _rmethod: string;
  /** `"*"` or `true`: the call expects an answer; `false`: fire-and-forget. */
  _rpromise: '*' | boolean;
  _rname?: string;
  _rdoc?: string | null;
  _rschema?: unknown;
  [key: string]: unknown;
}

/** What a value walk needs from its peer. */
export interface ValueHooks {
  /** Exports a local function and returns its descriptor. */
  exportFunction(fn: (...args: unknown[]) => unknown, name: string): MethodDescriptor;
  /** Turns a descriptor into a callable stub. */
  importMethod(descriptor: MethodDescriptor): (...args: unknown[]) => unknown;
  /**
   * Exports an object marked `_rintf: true` as a long-lived interface (`long-lived.ts`) and
   * returns its wire form; `encodeMember` encodes its members that are not functions. Without
   * it, such an object is encoded as any other (its functions then need {@link exportFunction}).
   */
  exportInterface?(value: Record<string, unknown>, encodeMember: (member: unknown, key: string) => unknown): Record<string, unknown>;
  /** Exports a function marked by `longLived()`; without it, the function is exported as any other. */
  exportLongLivedFunction?(fn: (...args: unknown[]) => unknown, name: string): MethodDescriptor;
}

/** Deepest value nesting accepted by {@link encodeValue} and {@link decodeValue}. */
export const MAX_VALUE_DEPTH = 64;

const descriptors = new WeakMap<object, MethodDescriptor>();

/** Marks a stub as standing for a remote method, so re-encoding it yields the original descriptor. */
export function bindDescriptor<F extends object>(stub: F, descriptor: MethodDescriptor): F {
  descriptors.set(stub, descriptor);
  return stub;
}

/** The descriptor a remote-method stub stands for, if it is one. */
export function descriptorOf(value: unknown): MethodDescriptor | undefined {
  return typeof value === 'function' ? descriptors.get(value) : undefined;
}

/** Whether `value` is a method descriptor. */
export function isMethodDescriptor(value: unknown): value is MethodDescriptor {
  const v = value as Record<string, unknown> | null;
  return (
    typeof v === 'object' &&
    v !== null &&
    v._rtype === 'method' &&
    typeof v._rtarget === 'string' &&
    typeof v._rmethod === 'string'
  );
}

const TYPED_ARRAYS: Record<string, new (buffer: ArrayBuffer, offset: number, length: number) => ArrayBufferView> = {
  int8: Int8Array,
  int16: Int16Array,
  int32: Int32Array,
  uint16: Uint16Array,
  uint32: Uint32Array,
  uint8clamped: Uint8ClampedArray,
  float32: Float32Array,
  float64: Float64Array,
};

/**
 * Plain scalars: {@link encodeValue} and {@link decodeValue} pass them through as they are
 * (`undefined` encodes as nil) and never touch their hooks, so callers may skip making hooks.
 */
export function isPlain(value: unknown): value is string | number | boolean | null | undefined {
  return value === null || value === undefined || typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';
}

/** Encodes a value for the wire. Throws `BAD_MESSAGE` past {@link MAX_VALUE_DEPTH}. */
export function encodeValue(value: unknown, hooks: ValueHooks, name = 'callback', depth = 0): unknown {
  if (value === null || value === undefined) return null;
  const type = typeof value;
  if (type === 'string' || type === 'number' || type === 'boolean' || type === 'bigint') return value;
  if (type === 'function') {
    const fn = value as (...args: unknown[]) => unknown;
    const known = descriptorOf(fn);
    if (known) return known;
    if (hooks.exportLongLivedFunction && isLongLivedFunction(fn)) return hooks.exportLongLivedFunction(fn, name);
    return hooks.exportFunction(fn, name);
  }
  if (type !== 'object') return null;
  if (depth >= MAX_VALUE_DEPTH) throw tooDeep();
  if (value instanceof Uint8Array) return value;
  if (value instanceof ArrayBuffer) return new Uint8Array(value);
  if (ArrayBuffer.isView(value)) return encodeTypedArray(value);
  if (value instanceof Error) return errorToPayload(value);
  if (value instanceof Date) return value;
  if (Array.isArray(value)) return value.map((item, i) => encodeValue(item, hooks, `${name}[${i}]`, depth + 1));
  if (value instanceof Map) {
    return encodeValue(Object.fromEntries(value), hooks, name, depth);
  }
  if (value instanceof Set) return encodeValue([...value], hooks, name, depth);
  if (value instanceof NdArray) return encodeNdArray(value);
  if (isIteratorLike(value)) return exportIterator(value, (fn, part) => hooks.exportFunction(fn, `${name}.${part}`));
  if (hooks.exportInterface && (value as { _rintf?: unknown })._rintf === true && isLongLivedObject(value)) {
    return hooks.exportInterface(value as Record<string, unknown>, (member, key) => encodeValue(member, hooks, key, depth + 1));
  }
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    if (item === undefined) continue;
    out[key] = encodeValue(item, hooks, key, depth + 1);
  }
  return out;
}

/** Decodes a value from the wire. Throws `BAD_MESSAGE` past {@link MAX_VALUE_DEPTH}. */
export function decodeValue(value: unknown, hooks: ValueHooks, depth = 0): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (depth >= MAX_VALUE_DEPTH) throw tooDeep();
  // Binary data and dates pass as they are; any other typed array too, never walked index by
  // index (a 4 MiB Int8Array would become four million keys).
  if (ArrayBuffer.isView(value) || value instanceof Date) return value;
  if (Array.isArray(value)) return value.map((item) => decodeValue(item, hooks, depth + 1));
  const record = value as Record<string, unknown>;
  switch (record._rtype) {
    case 'method':
      if (isMethodDescriptor(record)) return hooks.importMethod(record);
      break;
    case 'error':
      return MycelError.fromPayload(record);
    case 'typedarray':
      return decodeTypedArray(record);
    case 'ndarray':
      return decodeNdArray(record);
    case 'generator':
      if (isGeneratorRecord(record)) return importIterator(record, (d) => hooks.importMethod(d));
      break;
    default:
      break;
  }
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(record)) out[key] = decodeValue(item, hooks, depth + 1);
  return out;
}

function encodeTypedArray(view: ArrayBufferView): unknown {
  const bytes = new Uint8Array(view.buffer.slice(view.byteOffset, view.byteOffset + view.byteLength));
  const dtype = Object.entries(TYPED_ARRAYS).find(([, ctor]) => view instanceof ctor)?.[0];
  if (dtype === undefined) return bytes;
  return { _rtype: 'typedarray', _rvalue: bytes, _rdtype: dtype };
}

function decodeTypedArray(record: Record<string, unknown>): unknown {
  const bytes = record._rvalue;
  const ctor = typeof record._rdtype === 'string' ? TYPED_ARRAYS[record._rdtype] : undefined;
  if (!(bytes instanceof Uint8Array)) return record;
  if (ctor === undefined) return bytes;
  const size = (ctor as unknown as { BYTES_PER_ELEMENT: number }).BYTES_PER_ELEMENT;
  if (bytes.byteLength % size !== 0) throw new MycelError('BAD_MESSAGE', 'typed array length does not fit its type');
  // Uint8Array's slice copies; a Node Buffer's own `slice` would return a view of its pool.
  const copy = Uint8Array.prototype.slice.call(bytes).buffer;
  return new ctor(copy, 0, bytes.byteLength / size);
}

function tooDeep(): MycelError {
  return new MycelError('BAD_MESSAGE', `value nested deeper than ${MAX_VALUE_DEPTH} levels`);
}
