import { decodeMulti, encode } from '@msgpack/msgpack';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  decodeFrame,
  decodeHead,
  DEFAULT_LIMITS,
  encodeFrame,
  isMycelError,
  MycelError,
  packValue,
  packField,
  replaceHead,
  unpackValue,
} from '@mycel/protocol';
import { concatBytes } from '../helpers/assertions.js';

/** Runs `fn` and returns what it threw (fails the test when it does not throw). */
function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}

function expectBadMessage(fn: () => unknown): void {
  const error = thrown(fn);
  expect(error).toBeInstanceOf(MycelError);
  expect((error as MycelError).code).toBe('BAD_MESSAGE');
}

const concat = concatBytes;

const head = { type: 'method', to: 'ws/worker', method: 'services.math.add', session: 's1', from: undefined };
const body = {
  args: [1, 'two', { three: [3, { four: 4 }] }],
  promise: '*',
  data: new Uint8Array([0, 1, 2, 255]),
  missing: undefined,
  big: 2 ** 53 - 1,
  negative: -(2 ** 40),
};

describe('encodeFrame / decodeFrame', () => {
  it('round-trips a header and a body', () => {
    const { main, extra } = decodeFrame(encodeFrame(head, body));
    expect(main).toEqual({ ...head, from: null });
    expect(extra).toEqual({ ...body, missing: null, data: expect.any(Uint8Array) });
  });

  it('writes undefined fields as nil, read back as null', () => {
    const { main, extra } = decodeFrame(encodeFrame({ type: 'x', gone: undefined }, { nested: { gone: undefined } }));
    expect(main).toEqual({ type: 'x', gone: null });
    expect(extra).toEqual({ nested: { gone: null } });
  });

  it('keeps binary fields as bytes', () => {
    const { extra } = decodeFrame(encodeFrame({ type: 'x' }, { data: new Uint8Array([9, 8, 7]) }));
    const data = (extra as { data: Uint8Array }).data;
    expect(data).toBeInstanceOf(Uint8Array);
    expect([...data]).toEqual([9, 8, 7]);
  });

  it('reads large integers back as numbers', () => {
    const values = [2 ** 31, 2 ** 32 + 1, 2 ** 53 - 1, -(2 ** 53 - 1), -(2 ** 33)];
    const { main } = decodeFrame(encodeFrame({ values }));
    expect(main).toEqual({ values });
  });

  it('decodes nested maps as plain objects', () => {
    const { main } = decodeFrame(encodeFrame({ a: { b: { c: { d: [1, { e: 'f' }] } } } }));
    expect(main).toEqual({ a: { b: { c: { d: [1, { e: 'f' }] } } } });
    expect(Object.getPrototypeOf((main as { a: object }).a)).toBe(Object.prototype);
  });

  it('gives an undefined body for a header-only frame', () => {
    expect(decodeFrame(encodeFrame({ type: 'ping' }))).toEqual({ main: { type: 'ping' }, extra: undefined });
  });

  it('rejects a frame with a third object', () => {
    const frame = concat(encodeFrame({ type: 'x' }, { a: 1 }), packValue({ b: 2 }));
    expectBadMessage(() => decodeFrame(frame));
  });
});

describe('decodeHead', () => {
  it('returns the header and the offset where the body starts', () => {
    const mainBytes = packValue(head);
    const frame = encodeFrame(head, body);
    const decoded = decodeHead(frame);
    expect(decoded.main).toEqual({ ...head, from: null });
    expect(decoded.restOffset).toBe(mainBytes.length);
    expect(unpackValue(frame.subarray(decoded.restOffset))).toEqual(decodeFrame(frame).extra);
  });

  it('reports the frame length as restOffset when there is no body', () => {
    const frame = encodeFrame({ type: 'ping' });
    expect(decodeHead(frame).restOffset).toBe(frame.length);
  });

  it('does not decode the body, so a malformed body passes', () => {
    const frame = concat(packValue({ type: 'x' }), new Uint8Array([0x92, 0x01]));
    expect(decodeHead(frame).main).toEqual({ type: 'x' });
    expectBadMessage(() => decodeFrame(frame));
  });
});

describe('replaceHead', () => {
  it('keeps the body bytes byte-identical', () => {
    const frame = encodeFrame(head, body);
    const { main, restOffset } = decodeHead(frame);
    const bodyBytes = frame.slice(restOffset);
    const rewritten = replaceHead({ ...(main as object), from: 'ws/caller', ws: 'ws' }, frame, restOffset);
    const after = decodeHead(rewritten);
    expect(after.main).toMatchObject({ from: 'ws/caller', ws: 'ws', method: 'services.math.add' });
    expect(rewritten.slice(after.restOffset)).toEqual(bodyBytes);
  });

  it('returns only the header when the frame has no body', () => {
    const frame = encodeFrame({ type: 'ping' });
    const rewritten = replaceHead({ type: 'ping', from: 'a/b' }, frame, decodeHead(frame).restOffset);
    expect(decodeFrame(rewritten)).toEqual({ main: { type: 'ping', from: 'a/b' }, extra: undefined });
  });

  const user = { id: 'u-1', roles: ['anonymous'], scope: { workspaces: { ws: 'rw' } }, email: null };

  it('splices a packed field into the header, for every reader', () => {
    const frame = encodeFrame(head, body);
    const { main, restOffset } = decodeHead(frame);
    const rewritten = replaceHead({ ...(main as object), from: 'ws/caller' }, frame, restOffset, packField('user', user));
    const objects = [...decodeMulti(rewritten)];
    expect(objects[0]).toEqual({ ...head, from: 'ws/caller', user });
    expect(decodeFrame(rewritten).main).toEqual({ ...head, from: 'ws/caller', user });
    expect(rewritten.slice(decodeHead(rewritten).restOffset)).toEqual(frame.slice(restOffset));
  });

  it('replaces a field of the same name that the header already had', () => {
    const frame = encodeFrame({ type: 'method', user: { id: 'forged' } });
    const rewritten = replaceHead({ type: 'method', user: { id: 'forged' } }, frame, decodeHead(frame).restOffset, packField('user', user));
    expect([...decodeMulti(rewritten)]).toEqual([{ type: 'method', user }]);
  });

  it('packs the field as a plain value when the header has too many keys for a fixmap', () => {
    const wide = Object.fromEntries(Array.from({ length: 15 }, (_, i) => [`k${i}`, i]));
    const frame = encodeFrame(wide, body);
    const { restOffset } = decodeHead(frame);
    const rewritten = replaceHead({ ...wide }, frame, restOffset, packField('user', user));
    const objects = [...decodeMulti(rewritten)];
    expect(objects[0]).toEqual({ ...wide, user });
    expect(objects).toHaveLength(2);
  });
});

describe('codec interop with @msgpack/msgpack', () => {
  it('writes frames that @msgpack/msgpack reads as two objects', () => {
    const objects = [...decodeMulti(encodeFrame(head, body))];
    expect(objects).toHaveLength(2);
    expect(objects[0]).toEqual({ ...head, from: null });
    const extra = objects[1] as typeof body;
    expect(extra).toMatchObject({ args: body.args, promise: '*', missing: null, big: 2 ** 53 - 1, negative: -(2 ** 40) });
    expect(extra.data).toBeInstanceOf(Uint8Array);
    expect([...extra.data]).toEqual([0, 1, 2, 255]);
  });

  it('reads frames written by @msgpack/msgpack', () => {
    const frame = concat(encode(head), encode(body));
    const { main, extra } = decodeFrame(frame);
    expect(main).toEqual({ ...head, from: null });
    expect(extra).toMatchObject({ args: body.args, missing: null, big: 2 ** 53 - 1, negative: -(2 ** 40) });
    expect([...(extra as typeof body).data]).toEqual([0, 1, 2, 255]);
    expect(decodeHead(frame).restOffset).toBe(encode(head).length);
  });

  it('reads 64-bit integers written by @msgpack/msgpack as numbers', () => {
    const { main } = decodeFrame(encode({ u: 2 ** 53 - 1, i: -(2 ** 53 - 1), t: 1_700_000_000_000 }));
    expect(main).toEqual({ u: 2 ** 53 - 1, i: -(2 ** 53 - 1), t: 1_700_000_000_000 });
  });
});

describe('codec malformed input', () => {
  it.each([
    ['an empty frame', []],
    ['a truncated array', [0x92, 0x01]],
    ['a truncated string', [0xa5, 0x61, 0x62]],
    ['a truncated map', [0x82, 0xa1, 0x61]],
    ['a truncated bin32 length', [0xc6, 0x00, 0x00]],
    ['an unknown extension', [0xd4, 0x05, 0x00]],
    ['the reserved byte 0xc1', [0xc1]],
    ['a header that is only 0xc1 inside a map', [0x81, 0xa1, 0x61, 0xc1]],
  ])('throws BAD_MESSAGE on %s', (_name, bytes) => {
    expectBadMessage(() => decodeHead(new Uint8Array(bytes)));
    expectBadMessage(() => decodeFrame(new Uint8Array(bytes)));
  });

  it('throws BAD_MESSAGE on a malformed body', () => {
    expectBadMessage(() => decodeFrame(concat(packValue({ type: 'x' }), new Uint8Array([0xa5, 0x61]))));
  });

  it('throws BAD_MESSAGE, not a stack overflow, on 100k nested arrays', () => {
    const deep = new Uint8Array(100_000).fill(0x91);
    for (const decode of [decodeHead, decodeFrame, unpackValue]) {
      const error = thrown(() => decode(deep));
      expect(isMycelError(error)).toBe(true);
      expect((error as MycelError).code).toBe('BAD_MESSAGE');
      expect((error as MycelError).message).toMatch(/^malformed msgpack frame: /);
    }
  });

  it(`refuses a header nested deeper than ${DEFAULT_LIMITS.maxHeaderDepth} levels`, () => {
    const nest = (depth: number): unknown => (depth === 0 ? 1 : { a: nest(depth - 1) });
    const limit = DEFAULT_LIMITS.maxHeaderDepth;
    expect(decodeHead(packValue(nest(limit))).main).toEqual(nest(limit));
    expectBadMessage(() => decodeHead(packValue(nest(limit + 1))));
  });

  it('throws BAD_MESSAGE on 100k nested maps', () => {
    const bytes = new Uint8Array(200_000);
    for (let i = 0; i < bytes.length; i += 2) bytes.set([0x81, 0x00], i);
    expectBadMessage(() => decodeHead(bytes));
  });

  it('says why a truncated value is malformed', () => {
    const error = thrown(() => unpackValue(new Uint8Array([0x92, 0x01]))) as MycelError;
    expect(error.code).toBe('BAD_MESSAGE');
    expect(error.message).toBe('malformed msgpack frame: container larger than the frame');
  });

  it('rejects the reserved byte 0xc1 and trailing bytes in a whole value', () => {
    expect((thrown(() => unpackValue(new Uint8Array([0xc1]))) as MycelError).message).toContain('0xc1');
    expect((thrown(() => unpackValue(new Uint8Array([0x01, 0x02]))) as MycelError).message).toContain('bytes after the value');
  });

  it('either returns or throws BAD_MESSAGE for random bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 256 }), (bytes) => {
        for (const decode of [decodeHead, decodeFrame]) {
          try {
            decode(bytes);
          } catch (error) {
            if (!(error instanceof MycelError) || error.code !== 'BAD_MESSAGE') return false;
          }
        }
        return true;
      }),
      { numRuns: 2000 },
    );
  });

  it('either returns or throws BAD_MESSAGE for a valid header followed by random bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 64 }), (tail) => {
        const frame = concat(packValue({ type: 'method', to: 'a/b' }), tail);
        expect(decodeHead(frame).main).toEqual({ type: 'method', to: 'a/b' });
        try {
          decodeFrame(frame);
        } catch (error) {
          return error instanceof MycelError && error.code === 'BAD_MESSAGE';
        }
        return true;
      }),
      { numRuns: 1000 },
    );
  });
});
