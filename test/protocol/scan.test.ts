import { encode } from '@msgpack/msgpack';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkBody, DEFAULT_LIMITS, encodeFrame, isMsgpackMap, MycelError, packValue, skipMsgpack } from '@mycel/protocol';
import { concatBytes } from '../helpers/assertions.js';

const DEEP = 10_000;

function badMessage(fn: () => unknown): MycelError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(MycelError);
    expect((error as MycelError).code).toBe('BAD_MESSAGE');
    return error as MycelError;
  }
  throw new Error('expected a throw');
}

/**
 * JSON values without a `__proto__` key: fast-check generates that key on purpose, and the body
 * check refuses it (an official decoder throws on it; a test below pins that refusal).
 */
const jsonValue = fc.jsonValue().filter((v) => !JSON.stringify(v).includes('"__proto__"'));

/** Values covering every msgpack type both encoders write. */
const value = fc.oneof(
  jsonValue,
  fc.uint8Array({ maxLength: 300 }),
  fc.double(),
  fc.integer({ min: Number.MIN_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER }),
  fc.string({ minLength: 30, maxLength: 70_000 }),
  fc.array(fc.integer(), { minLength: 15, maxLength: 70_000 }),
);

describe('skipMsgpack', () => {
  it('finds the end of any value msgpackr writes', () => {
    fc.assert(
      fc.property(value, (v) => {
        const bytes = packValue(v);
        expect(skipMsgpack(bytes, 0, DEEP)).toBe(bytes.length);
      }),
      { numRuns: 300 },
    );
  });

  it('finds the end of any value @msgpack/msgpack writes', () => {
    fc.assert(
      fc.property(value, (v) => {
        const bytes = encode(v);
        expect(skipMsgpack(bytes, 0, DEEP)).toBe(bytes.length);
      }),
      { numRuns: 300 },
    );
  });

  it('starts at the offset it is given', () => {
    const frame = encodeFrame({ type: 'method', to: 'a/b' }, { args: [1, 2, 3] });
    const head = skipMsgpack(frame, 0, DEEP);
    expect(head).toBe(packValue({ type: 'method', to: 'a/b' }).length);
    expect(skipMsgpack(frame, head, DEEP)).toBe(frame.length);
  });

  it('throws BAD_MESSAGE on every strict prefix of a value', () => {
    fc.assert(
      fc.property(jsonValue, fc.nat(), (v, cut) => {
        const bytes = packValue(v);
        fc.pre(bytes.length > 1);
        badMessage(() => skipMsgpack(bytes.subarray(0, cut % bytes.length), 0, DEEP));
      }),
      { numRuns: 300 },
    );
  });

  it('throws BAD_MESSAGE on the reserved byte 0xc1, at any depth', () => {
    expect(badMessage(() => skipMsgpack(new Uint8Array([0xc1]), 0, DEEP)).message).toBe(
      'malformed msgpack frame: reserved byte 0xc1',
    );
    badMessage(() => skipMsgpack(new Uint8Array([0x92, 0x01, 0xc1]), 0, DEEP));
  });

  it('accepts nesting up to maxDepth and refuses one level more', () => {
    const nested = (depth: number) => new Uint8Array([...new Array<number>(depth).fill(0x91), 0x01]);
    expect(skipMsgpack(nested(5), 0, 5)).toBe(6);
    expect(badMessage(() => skipMsgpack(nested(6), 0, 5)).message).toBe(
      'malformed msgpack frame: nested deeper than 5 levels',
    );
  });

  it('refuses 100k nested arrays without a stack overflow', () => {
    badMessage(() => skipMsgpack(new Uint8Array(100_000).fill(0x91), 0, 1_000_000));
  });

  it('refuses a container that claims more children than the frame has bytes', () => {
    const lie = new Uint8Array([0xdd, 0xff, 0xff, 0xff, 0xff, 0x01]);
    expect(badMessage(() => skipMsgpack(lie, 0, DEEP)).message).toBe(
      'malformed msgpack frame: container larger than the frame',
    );
    badMessage(() => skipMsgpack(new Uint8Array([0xdf, 0x00, 0x00, 0x00, 0x02, 0x01, 0x02]), 0, DEEP));
  });

  it('refuses a string or binary longer than the frame', () => {
    badMessage(() => skipMsgpack(new Uint8Array([0xdb, 0xff, 0xff, 0xff, 0xff, 0x61]), 0, DEEP));
    badMessage(() => skipMsgpack(new Uint8Array([0xc4, 0x05, 0x01]), 0, DEEP));
  });

  it('either returns an offset inside the frame or throws BAD_MESSAGE for random bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 128 }), (bytes) => {
        try {
          const end = skipMsgpack(bytes, 0, 64);
          return end > 0 && end <= bytes.length;
        } catch (error) {
          return error instanceof MycelError && error.code === 'BAD_MESSAGE';
        }
      }),
      { numRuns: 2000 },
    );
  });
});

describe('isMsgpackMap', () => {
  it('is true for fixmap, map16 and map32', () => {
    expect(isMsgpackMap(packValue({ a: 1 }), 0)).toBe(true);
    expect(isMsgpackMap(new Uint8Array([0xde, 0, 0]), 0)).toBe(true);
    expect(isMsgpackMap(new Uint8Array([0xdf, 0, 0, 0, 0]), 0)).toBe(true);
  });

  it('is false for other values and past the end', () => {
    for (const v of [[1], 'map', 1, null, new Uint8Array(1)]) expect(isMsgpackMap(packValue(v), 0)).toBe(false);
    expect(isMsgpackMap(new Uint8Array([0x80]), 1)).toBe(false);
  });
});

describe('checkBody', () => {
  const head = packValue({ type: 'method' });
  const frame = concatBytes;

  it('accepts a frame without a body and a frame whose body is one map', () => {
    expect(() => checkBody(head, head.length)).not.toThrow();
    expect(() => checkBody(frame(head, packValue({ args: [1, { b: new Uint8Array(3) }] })), head.length)).not.toThrow();
  });

  it('refuses a body that is not a map', () => {
    expect(badMessage(() => checkBody(frame(head, packValue([1, 2])), head.length)).message).toBe(
      'frame body must be a msgpack map',
    );
  });

  it('refuses bytes after the body', () => {
    expect(badMessage(() => checkBody(frame(head, packValue({ a: 1 }), packValue(2)), head.length)).message).toBe(
      'frame has bytes after its body',
    );
  });

  it('refuses a malformed or truncated body', () => {
    badMessage(() => checkBody(frame(head, new Uint8Array([0x81, 0xa1, 0x61, 0xc1])), head.length));
    badMessage(() => checkBody(frame(head, new Uint8Array([0x82, 0xa1, 0x61])), head.length));
  });

  it(`refuses a body nested deeper than ${DEFAULT_LIMITS.maxBodyDepth} levels`, () => {
    const nest = (depth: number): unknown => (depth === 0 ? 1 : [nest(depth - 1)]);
    const ok = packValue({ a: nest(DEFAULT_LIMITS.maxBodyDepth - 1) });
    const deep = packValue({ a: nest(DEFAULT_LIMITS.maxBodyDepth) });
    expect(() => checkBody(frame(head, ok), head.length)).not.toThrow();
    badMessage(() => checkBody(frame(head, deep), head.length));
  });
});
