/**
 * N-dimensional arrays as numpy sends them: `{_rtype: "ndarray", _rvalue: bytes, _rshape: [...],
 * _rdtype: "float32"}` (hypha-rpc's encoding of `numpy.ndarray` and numpy scalars). In
 * TypeScript they are an {@link NdArray}: a typed array of the matching element type, with the
 * shape and the numpy dtype name. Encoding an `NdArray` gives Python a numpy array back.
 */
import { MycelError } from './errors.js';

/** The typed arrays an {@link NdArray} holds. */
export type NdArrayData =
  | Int8Array
  | Uint8Array
  | Int16Array
  | Uint16Array
  | Int32Array
  | Uint32Array
  | BigInt64Array
  | BigUint64Array
  | Float32Array
  | Float64Array;

type TypedArrayConstructor = {
  new (buffer: ArrayBuffer, offset: number, length: number): NdArrayData;
  readonly BYTES_PER_ELEMENT: number;
};

/**
 * numpy dtype names (little-endian, as `str(dtype)` prints them on every common machine) and the
 * typed array each becomes. `bool` is one byte per element, as in numpy.
 */
const DTYPES: Record<string, TypedArrayConstructor> = {
  bool: Uint8Array,
  int8: Int8Array,
  uint8: Uint8Array,
  int16: Int16Array,
  uint16: Uint16Array,
  int32: Int32Array,
  uint32: Uint32Array,
  int64: BigInt64Array,
  uint64: BigUint64Array,
  float32: Float32Array,
  float64: Float64Array,
};

/** Most dimensions accepted (numpy's own limit is 64). */
const MAX_DIMENSIONS = 64;

/**
 * An n-dimensional array: elements in row-major (C) order in `data`, the `shape`, and numpy's
 * dtype name. A dtype with no typed array here (`float16`, `complex64`, big-endian `>i4`, ...)
 * keeps its raw bytes in a `Uint8Array`.
 *
 * @example
 * const image = new NdArray(new Float32Array(6), [2, 3]); // numpy: float32 array of shape (2, 3)
 */
export class NdArray<T extends NdArrayData = NdArrayData> {
  readonly data: T;
  readonly shape: readonly number[];
  readonly dtype: string;

  /**
   * @param shape defaults to one dimension of `data.length`
   * @param dtype defaults to the dtype of `data`'s element type (`Uint8Array` → `uint8`)
   */
  constructor(data: T, shape: readonly number[] = [data.length], dtype: string = dtypeOf(data)) {
    if (!shape.every((n) => Number.isInteger(n) && n >= 0) || shape.length > MAX_DIMENSIONS) {
      throw new TypeError(`shape must be at most ${MAX_DIMENSIONS} non-negative integers, got [${shape.join(', ')}]`);
    }
    const count = shape.reduce((a, b) => a * b, 1);
    if (DTYPES[dtype] !== undefined && count !== data.length) {
      throw new TypeError(`shape [${shape.join(', ')}] holds ${count} elements, but the data has ${data.length}`);
    }
    this.data = data;
    this.shape = Object.freeze([...shape]);
    this.dtype = dtype;
  }
}

/** The numpy dtype name of a typed array's element type. */
function dtypeOf(data: NdArrayData): string {
  for (const [name, ctor] of Object.entries(DTYPES)) if (name !== 'bool' && data instanceof ctor) return name;
  return 'uint8';
}

/** The wire form of an {@link NdArray}. */
export function encodeNdArray(array: NdArray): Record<string, unknown> {
  const { data } = array;
  return {
    _rtype: 'ndarray',
    _rvalue: new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
    _rshape: [...array.shape],
    _rdtype: array.dtype,
  };
}

/** Decodes the wire form of an ndarray. Throws `BAD_MESSAGE` when its parts do not fit. */
export function decodeNdArray(record: Record<string, unknown>): NdArray {
  const bytes = record._rvalue;
  const shape = record._rshape;
  const dtype = record._rdtype;
  if (!(bytes instanceof Uint8Array) || !Array.isArray(shape) || typeof dtype !== 'string') {
    throw new MycelError('BAD_MESSAGE', 'ndarray needs binary _rvalue, an _rshape list and an _rdtype string');
  }
  if (shape.length > MAX_DIMENSIONS || !shape.every((n) => Number.isInteger(n) && (n as number) >= 0)) {
    throw new MycelError('BAD_MESSAGE', `ndarray shape must be at most ${MAX_DIMENSIONS} non-negative integers`);
  }
  const ctor = DTYPES[dtype];
  // A copy: the bytes are a view into the received frame, at any alignment.
  const copy = Uint8Array.prototype.slice.call(bytes);
  if (ctor === undefined) return new NdArray(copy, shape as number[], dtype);
  const count = (shape as number[]).reduce((a, b) => a * b, 1);
  if (count * ctor.BYTES_PER_ELEMENT !== bytes.byteLength) {
    throw new MycelError('BAD_MESSAGE', `ndarray of shape [${shape.join(', ')}] and dtype "${dtype}" needs ${count * ctor.BYTES_PER_ELEMENT} bytes, got ${bytes.byteLength}`);
  }
  return new NdArray(new ctor(copy.buffer, 0, count), shape as number[], dtype);
}
