import { describe, expect, it, vi } from 'vitest';
import {
  bindDescriptor,
  decodeFrame,
  decodeValue,
  descriptorOf,
  encodeFrame,
  encodeValue,
  isMethodDescriptor,
  MAX_VALUE_DEPTH,
  MycelError,
  type MethodDescriptor,
  type ValueHooks,
} from '@mycel/protocol';
import { thrownMycelError } from '../helpers/assertions.js';

/** Hooks that export functions into a table and import descriptors as stubs calling back into it. */
function tableHooks(): ValueHooks & { exported: Map<string, (...args: unknown[]) => unknown> } {
  const exported = new Map<string, (...args: unknown[]) => unknown>();
  return {
    exported,
    exportFunction(fn, name) {
      const method = `session.${exported.size}#${name}`;
      exported.set(method, fn);
      return { _rtype: 'method', _rtarget: 'ws/me', _rmethod: method, _rpromise: '*' };
    },
    importMethod(descriptor) {
      const fn = exported.get(descriptor._rmethod);
      const stub = (...args: unknown[]) => fn?.(...args);
      return bindDescriptor(stub, descriptor);
    },
  };
}

/** Encodes, sends through the frame codec, and decodes, as a peer does. */
function roundTrip(value: unknown, hooks: ValueHooks = tableHooks()): unknown {
  const { extra } = decodeFrame(encodeFrame({ type: 'method' }, { args: [encodeValue(value, hooks)] }));
  return decodeValue((extra as { args: unknown[] }).args[0], hooks);
}

function nested(depth: number, leaf: unknown = 1): unknown {
  let value = leaf;
  for (let i = 0; i < depth; i++) value = [value];
  return value;
}

const thrown = thrownMycelError;

describe('encodeValue / decodeValue', () => {
  it.each([
    ['a string', 'hello'],
    ['an empty string', ''],
    ['an integer', 42],
    ['a float', -1.5],
    ['a large integer', 2 ** 53 - 1],
    ['true', true],
    ['false', false],
    ['null', null],
    ['an array', [1, 'a', null, [2, [3]]]],
    ['an object', { a: 1, b: { c: [true, 'x'] } }],
    ['an empty object', {}],
  ])('round-trips %s', (_name, value) => {
    expect(roundTrip(value)).toEqual(value);
  });

  it('encodes undefined as null, and drops undefined object fields', () => {
    const hooks = tableHooks();
    expect(encodeValue(undefined, hooks)).toBeNull();
    expect(encodeValue([1, undefined], hooks)).toEqual([1, null]);
    expect(encodeValue({ a: 1, b: undefined }, hooks)).toEqual({ a: 1 });
    expect(roundTrip({ a: undefined, b: [undefined] })).toEqual({ b: [null] });
  });

  it('round-trips Uint8Array as bytes', () => {
    const back = roundTrip({ data: new Uint8Array([0, 127, 255]) }) as { data: Uint8Array };
    expect(back.data).toBeInstanceOf(Uint8Array);
    expect([...back.data]).toEqual([0, 127, 255]);
  });

  it('encodes an ArrayBuffer as bytes', () => {
    const encoded = encodeValue(new Uint8Array([1, 2]).buffer, tableHooks());
    expect(encoded).toBeInstanceOf(Uint8Array);
    expect([...(encoded as Uint8Array)]).toEqual([1, 2]);
  });

  it('encodes a Float32Array as a typedarray and decodes it back', () => {
    const hooks = tableHooks();
    const array = new Float32Array([1.5, -2.25, 3]);
    const encoded = encodeValue(array, hooks) as Record<string, unknown>;
    expect(encoded).toMatchObject({ _rtype: 'typedarray', _rdtype: 'float32' });
    expect(encoded._rvalue).toBeInstanceOf(Uint8Array);
    expect((encoded._rvalue as Uint8Array).byteLength).toBe(12);
    const back = roundTrip(array, hooks);
    expect(back).toBeInstanceOf(Float32Array);
    expect([...(back as Float32Array)]).toEqual([1.5, -2.25, 3]);
  });

  it.each([
    ['int8', new Int8Array([-1, 2])],
    ['int16', new Int16Array([-300, 300])],
    ['int32', new Int32Array([-70000, 70000])],
    ['uint16', new Uint16Array([65535])],
    ['uint32', new Uint32Array([4294967295])],
    ['uint8clamped', new Uint8ClampedArray([0, 255])],
    ['float64', new Float64Array([Math.PI])],
  ])('round-trips a %s typed array', (dtype, array) => {
    const encoded = encodeValue(array, tableHooks()) as Record<string, unknown>;
    expect(encoded._rdtype).toBe(dtype);
    const back = roundTrip(array);
    expect(back).toBeInstanceOf(array.constructor);
    expect(back).toEqual(array);
  });

  it('encodes only the viewed part of a typed array', () => {
    const whole = new Float64Array([1, 2, 3, 4]);
    const back = roundTrip(whole.subarray(1, 3));
    expect([...(back as Float64Array)]).toEqual([2, 3]);
  });

  it('rejects a typed array whose byte length does not fit its type', () => {
    const error = thrown(() =>
      decodeValue({ _rtype: 'typedarray', _rvalue: new Uint8Array(3), _rdtype: 'float32' }, tableHooks()),
    );
    expect(error.code).toBe('BAD_MESSAGE');
  });

  it('decodes a typedarray of an unknown dtype as its bytes', () => {
    const back = decodeValue({ _rtype: 'typedarray', _rvalue: new Uint8Array([1, 2]), _rdtype: 'uint8' }, tableHooks());
    expect(back).toEqual(new Uint8Array([1, 2]));
  });

  it('encodes an Error as an error payload without a stack', () => {
    const encoded = encodeValue({ e: new Error('broken') }, tableHooks());
    expect(encoded).toEqual({ e: { _rtype: 'error', _rvalue: 'broken' } });
  });

  it('keeps the code of a MycelError and decodes it as a MycelError', () => {
    const back = roundTrip(new MycelError('TIMEOUT', 'late'));
    expect(back).toBeInstanceOf(MycelError);
    expect(back).toMatchObject({ code: 'TIMEOUT', message: 'late' });
  });

  it('decodes an error payload without a code as REMOTE_ERROR', () => {
    const back = decodeValue({ _rtype: 'error', _rvalue: 'far away' }, tableHooks());
    expect(back).toMatchObject({ code: 'REMOTE_ERROR', message: 'far away' });
  });

  it('encodes Map as an object, Set as an array, and keeps Date', () => {
    const hooks = tableHooks();
    expect(encodeValue(new Map([['a', 1]]), hooks)).toEqual({ a: 1 });
    expect(encodeValue(new Set([1, 2]), hooks)).toEqual([1, 2]);
    const date = new Date(0);
    expect(encodeValue(date, hooks)).toBe(date);
    expect(decodeValue(date, hooks)).toBe(date);
  });

  it('exports functions through the hooks, named by their key', () => {
    const hooks = tableHooks();
    const exportSpy = vi.spyOn(hooks, 'exportFunction');
    const onProgress = () => 'progress';
    const encoded = encodeValue({ onProgress, list: [() => 1] }, hooks) as Record<string, unknown>;
    expect(isMethodDescriptor(encoded.onProgress)).toBe(true);
    expect(exportSpy).toHaveBeenCalledWith(onProgress, 'onProgress');
    expect(exportSpy).toHaveBeenCalledWith(expect.any(Function), 'list[0]');
  });

  it('imports descriptors as callables through the hooks', () => {
    const hooks = tableHooks();
    const back = roundTrip({ double: (x: number) => x * 2 }, hooks) as { double: (x: number) => number };
    expect(typeof back.double).toBe('function');
    expect(back.double(21)).toBe(42);
  });

  it('re-encodes a bound stub as the descriptor it stands for', () => {
    const hooks = tableHooks();
    const exportSpy = vi.spyOn(hooks, 'exportFunction');
    const descriptor: MethodDescriptor = { _rtype: 'method', _rtarget: 'ws/other', _rmethod: 's.cb', _rpromise: '*' };
    const stub = bindDescriptor(() => undefined, descriptor);
    expect(descriptorOf(stub)).toBe(descriptor);
    expect(encodeValue({ cb: stub }, hooks)).toEqual({ cb: descriptor });
    expect(exportSpy).not.toHaveBeenCalled();
  });

  it('decodes an incomplete method descriptor as a plain object', () => {
    const importSpy = vi.fn();
    const value = decodeValue({ _rtype: 'method', _rtarget: 5 }, { ...tableHooks(), importMethod: importSpy });
    expect(value).toEqual({ _rtype: 'method', _rtarget: 5 });
    expect(importSpy).not.toHaveBeenCalled();
  });

  it(`accepts ${MAX_VALUE_DEPTH} levels of nesting`, () => {
    expect(roundTrip(nested(MAX_VALUE_DEPTH))).toEqual(nested(MAX_VALUE_DEPTH));
  });

  it('rejects deeper nesting with BAD_MESSAGE, both ways', () => {
    const deep = nested(MAX_VALUE_DEPTH + 1);
    const error = thrown(() => encodeValue(deep, tableHooks()));
    expect(error.code).toBe('BAD_MESSAGE');
    expect(error.message).toMatchInlineSnapshot(`"value nested deeper than 64 levels"`);
    expect(thrown(() => decodeValue(deep, tableHooks())).code).toBe('BAD_MESSAGE');
  });

  it('rejects a circular structure with BAD_MESSAGE rather than overflowing the stack', () => {
    const circular: Record<string, unknown> = { name: 'loop' };
    circular.self = circular;
    expect(thrown(() => encodeValue(circular, tableHooks())).code).toBe('BAD_MESSAGE');
    expect(thrown(() => decodeValue(circular, tableHooks())).code).toBe('BAD_MESSAGE');
    const array: unknown[] = [];
    array.push(array);
    expect(thrown(() => encodeValue(array, tableHooks())).code).toBe('BAD_MESSAGE');
  });

  it('rejects a Map that contains itself with BAD_MESSAGE', () => {
    const map = new Map<string, unknown>();
    map.set('self', map);
    expect(thrown(() => encodeValue(map, tableHooks())).code).toBe('BAD_MESSAGE');
  });

  it('encodes symbols as null', () => {
    expect(encodeValue(Symbol('x'), tableHooks())).toBeNull();
  });
});

describe('isMethodDescriptor', () => {
  it('needs _rtype "method" and string target and method', () => {
    expect(isMethodDescriptor({ _rtype: 'method', _rtarget: 'a/b', _rmethod: 'x' })).toBe(true);
    expect(isMethodDescriptor({ _rtype: 'method', _rtarget: 'a/b' })).toBe(false);
    expect(isMethodDescriptor({ _rtype: 'error', _rtarget: 'a/b', _rmethod: 'x' })).toBe(false);
    expect(isMethodDescriptor(null)).toBe(false);
    expect(isMethodDescriptor('method')).toBe(false);
  });
});

describe('descriptorOf', () => {
  it('is undefined for unbound functions and non-functions', () => {
    expect(descriptorOf(() => 1)).toBeUndefined();
    expect(descriptorOf({ _rtype: 'method' })).toBeUndefined();
  });
});
