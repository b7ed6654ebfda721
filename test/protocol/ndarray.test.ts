import { describe, expect, it } from 'vitest';
import { decodeValue, encodeValue, NdArray, type ValueHooks } from '@mycel/protocol';
import { thrownMycelError } from '../helpers/assertions.js';

const hooks: ValueHooks = {
  exportFunction: () => {
    throw new Error('no functions here');
  },
  importMethod: () => () => undefined,
};

/** What numpy sends for `np.arange(6, dtype=dtype).reshape(2, 3)`, with `bytes` as its buffer. */
const wire = (bytes: Uint8Array, dtype: string, shape: number[] = [2, 3]) => ({ _rtype: 'ndarray', _rvalue: bytes, _rshape: shape, _rdtype: dtype });

describe('NdArray values', () => {
  it('decodes a numpy float32 array into a Float32Array with its shape and dtype', () => {
    const bytes = new Uint8Array(new Float32Array([0, 1, 2, 3, 4, 5.5]).buffer);
    const array = decodeValue(wire(bytes, 'float32'), hooks) as NdArray;
    expect(array).toBeInstanceOf(NdArray);
    expect(array.data).toBeInstanceOf(Float32Array);
    expect([...array.data]).toEqual([0, 1, 2, 3, 4, 5.5]);
    expect(array.shape).toEqual([2, 3]);
    expect(array.dtype).toBe('float32');
  });

  it('decodes bytes at an odd offset (a view into a frame) by copying them', () => {
    const frame = new Uint8Array(8 * 6 + 1);
    frame.set(new Uint8Array(new Float64Array([1, 2, 3, 4, 5, 6]).buffer), 1);
    const array = decodeValue(wire(frame.subarray(1), 'float64'), hooks) as NdArray;
    expect([...array.data]).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('maps every numpy integer width, 64-bit ones to BigInt arrays, bool to bytes', () => {
    const cases: [string, new (n: number) => ArrayLike<unknown> & { buffer: ArrayBufferLike }][] = [
      ['int8', Int8Array],
      ['uint8', Uint8Array],
      ['int16', Int16Array],
      ['uint16', Uint16Array],
      ['int32', Int32Array],
      ['uint32', Uint32Array],
      ['int64', BigInt64Array],
      ['uint64', BigUint64Array],
      ['bool', Uint8Array],
    ];
    for (const [dtype, ctor] of cases) {
      const array = decodeValue(wire(new Uint8Array(new ctor(6).buffer), dtype), hooks) as NdArray;
      expect(array.data, dtype).toBeInstanceOf(ctor);
      expect(array.dtype).toBe(dtype);
    }
  });

  it('keeps the raw bytes of a dtype with no typed array (float16, big-endian)', () => {
    const array = decodeValue(wire(new Uint8Array(12), 'float16'), hooks) as NdArray;
    expect(array.data).toBeInstanceOf(Uint8Array);
    expect(array.data.length).toBe(12);
    expect(array.dtype).toBe('float16');
    expect((decodeValue(wire(new Uint8Array(24), '>i4'), hooks) as NdArray).dtype).toBe('>i4');
  });

  it('decodes a numpy scalar (shape []) as one element', () => {
    const array = decodeValue(wire(new Uint8Array(new Float64Array([2.5]).buffer), 'float64', []), hooks) as NdArray;
    expect([...array.data]).toEqual([2.5]);
    expect(array.shape).toEqual([]);
  });

  it('refuses an ndarray whose bytes do not fit its shape and dtype', () => {
    const error = thrownMycelError(() => decodeValue(wire(new Uint8Array(10), 'float32'), hooks));
    expect(error.code).toBe('BAD_MESSAGE');
    expect(error.message).toMatchInlineSnapshot(`"ndarray of shape [2, 3] and dtype "float32" needs 24 bytes, got 10"`);
    expect(thrownMycelError(() => decodeValue(wire(new Uint8Array(24), 'float32', [-1, 6]), hooks)).code).toBe('BAD_MESSAGE');
    expect(thrownMycelError(() => decodeValue({ _rtype: 'ndarray', _rvalue: 'x', _rshape: [1], _rdtype: 'int8' }, hooks)).code).toBe('BAD_MESSAGE');
  });

  it('encodes an NdArray in numpy form, and back', () => {
    const array = new NdArray(new Int16Array([1, -2, 3, -4]), [2, 2]);
    const encoded = encodeValue(array, hooks) as Record<string, unknown>;
    expect(encoded).toMatchObject({ _rtype: 'ndarray', _rshape: [2, 2], _rdtype: 'int16' });
    expect((encoded._rvalue as Uint8Array).byteLength).toBe(8);
    const back = decodeValue(encoded, hooks) as NdArray;
    expect([...back.data]).toEqual([1, -2, 3, -4]);
    expect(back.shape).toEqual([2, 2]);
  });

  it('refuses a shape that does not hold the data, synchronously', () => {
    expect(() => new NdArray(new Float32Array(5), [2, 3])).toThrow(new TypeError('shape [2, 3] holds 6 elements, but the data has 5'));
    expect(() => new NdArray(new Float32Array(5), [2.5])).toThrow(TypeError);
  });
});
