/**
 * Issue 9, item 2: the hub forwarded bodies that msgpackr reads but that an official client's
 * decoder throws on (uncaught, in the receiving process). The body check now refuses whatever
 * @msgpack/msgpack (hypha-rpc JS) or Python's msgpack (hypha-rpc Python) cannot decode.
 */
import { describe, expect, it } from 'vitest';
import { checkBody, encodeFrame, isMycelError, packValue } from '@mycel/protocol';
import { concatBytes } from '../helpers/assertions.js';
import { startInteropSession } from '../helpers/interop.js';
import {
  array,
  BAD_UTF8,
  bin,
  bool,
  ext,
  float,
  jsDecodes,
  map,
  nil,
  obj,
  pythonDecodes,
  str,
  strBytes,
  uint,
  type Raw,
} from '../helpers/raw-msgpack.js';
import { RawSocket } from '../helpers/raw-socket.js';

/** Each body, and which official decoders throw on it. */
const BAD_BODIES: { name: string; body: Raw; js: boolean; python: boolean }[] = [
  { name: 'a nil map key', body: map([nil, uint(1)]), js: true, python: true },
  { name: 'an array map key', body: map([array(uint(1)), uint(1)]), js: true, python: true },
  { name: 'a map map key', body: map([map(), uint(1)]), js: true, python: true },
  { name: 'a boolean map key', body: map([bool(true), uint(1)]), js: true, python: true },
  { name: 'a binary map key', body: map([bin([0x61]), uint(1)]), js: true, python: false },
  { name: 'an integer map key', body: map([uint(1), uint(1)]), js: false, python: true },
  { name: 'a float map key', body: map([float(1.5), uint(1)]), js: false, python: true },
  { name: 'a nested nil map key', body: obj({ args: array(map([nil, uint(1)])) }), js: true, python: true },
  { name: 'a "__proto__" key', body: obj({ args: array(map([str('__proto__'), obj({ polluted: bool(true) })])) }), js: true, python: false },
  ...BAD_UTF8.map((bytes) => ({
    name: `a string of bytes ${bytes.map((b) => b.toString(16)).join(' ')}`,
    body: obj({ args: array(strBytes(bytes)) }),
    js: false,
    python: true,
  })),
  { name: 'a key that is not UTF-8', body: map([strBytes([0xff]), uint(1)]), js: false, python: true },
  { name: 'a timestamp of 1 byte', body: obj({ args: array(ext(-1, [0])) }), js: true, python: true },
  { name: 'a timestamp of 2 bytes', body: obj({ args: array(ext(-1, [0, 0])) }), js: true, python: true },
  { name: 'a timestamp of 16 bytes', body: obj({ args: array(ext(-1, new Array(16).fill(0))) }), js: true, python: true },
  { name: 'a timestamp of 3 bytes', body: obj({ args: array(ext(-1, [0, 0, 0])) }), js: true, python: true },
  {
    name: 'a 64-bit timestamp with 1e9 nanoseconds',
    body: obj({ args: array(ext(-1, [0xee, 0x6b, 0x28, 0x00, 0, 0, 0, 0])) }),
    js: false,
    python: true,
  },
  {
    name: 'a 96-bit timestamp with 1e9 nanoseconds',
    body: obj({ args: array(ext(-1, [0x3b, 0x9a, 0xca, 0x00, 0, 0, 0, 0, 0, 0, 0, 0])) }),
    js: false,
    python: true,
  },
];

/** Bodies that look close to the bad ones and that every decoder reads. */
const GOOD_BODIES: { name: string; body: Raw }[] = [
  { name: 'string keys of every length form', body: map([str('a'), uint(1)], [str('k'.repeat(40)), uint(2)], [str('é'.repeat(200)), uint(3)]) },
  { name: 'multi-byte UTF-8 up to U+10FFFF', body: obj({ args: array(str('aé€😀\u{10ffff}')) }) },
  { name: 'a 32-bit timestamp', body: obj({ args: array(ext(-1, [0, 0, 0, 1])) }) },
  { name: 'a 64-bit timestamp with 999999999 nanoseconds', body: obj({ args: array(ext(-1, [0xee, 0x6b, 0x27, 0xfc, 0, 0, 0, 1])) }) },
  { name: 'a 96-bit timestamp', body: obj({ args: array(ext(-1, [0x3b, 0x9a, 0xc9, 0xff, 0, 0, 0, 0, 0, 0, 0, 1])) }) },
  { name: 'a key named "proto"', body: obj({ proto: uint(1), __proto: uint(2) }) },
  { name: 'nil, booleans, floats and binary as values', body: obj({ args: array(nil, bool(false), float(0.5), bin([0, 255])) }) },
];

const HEAD = packValue({ type: 'method', to: 'public/w', method: 'services.s.f', session: 's1' });

function verdict(body: Raw): string {
  try {
    checkBody(concatBytes(HEAD, body), HEAD.length);
    return 'accepted';
  } catch (error) {
    return isMycelError(error) && error.code === 'BAD_MESSAGE' ? 'refused' : `threw ${String(error)}`;
  }
}

describe('bodies an official client cannot decode', () => {
  it('are ones that @msgpack/msgpack or Python msgpack really throws on', () => {
    const python = pythonDecodes(BAD_BODIES.map((c) => c.body));
    BAD_BODIES.forEach((c, i) => {
      expect({ name: c.name, js: !jsDecodes(c.body), python: !python[i] }).toEqual({ name: c.name, js: c.js, python: c.python });
    });
  });

  it('are refused by the body check with BAD_MESSAGE', () => {
    for (const c of BAD_BODIES) expect({ name: c.name, verdict: verdict(c.body) }).toEqual({ name: c.name, verdict: 'refused' });
  });

  it('leave their well-formed neighbours accepted, and every decoder reads those', () => {
    const python = pythonDecodes(GOOD_BODIES.map((c) => c.body));
    GOOD_BODIES.forEach((c, i) => {
      expect({ name: c.name, verdict: verdict(c.body), js: jsDecodes(c.body), python: python[i] }).toEqual({
        name: c.name,
        verdict: 'accepted',
        js: true,
        python: true,
      });
    });
  });

  it('never reach a hypha-rpc worker: the sender gets BAD_MESSAGE and the worker keeps serving', async () => {
    const { hub, connect } = await startInteropSession();
    const worker = await connect({ client_id: 'hypha-w' });
    await worker.registerService({ id: 'echo', config: { visibility: 'public' }, echo: (x: unknown) => x });
    const { socket: attacker } = await RawSocket.connect(hub.url, 'attacker');
    const jsKillers = BAD_BODIES.filter((c) => c.js);
    for (const [i, c] of jsKillers.entries()) {
      const session = `bad${i}`;
      const head = encodeFrame({ type: 'method', to: 'public/hypha-w', method: 'services.echo.echo', session });
      // The bad value sits beside a normal call body, as a hostile caller would send it.
      attacker.ws.send(concatBytes(head, c.body));
      const reply = await attacker.nextBinary();
      expect({ name: c.name, method: reply.main.method, from: reply.main.from }).toEqual({
        name: c.name,
        method: `${session}.reject`,
        from: 'public/hypha-w',
      });
      const error = (reply.extra?.args as Record<string, unknown>[])[0];
      expect(error?._rcode).toBe('BAD_MESSAGE');
      expect(String(error?._rvalue)).toMatch(/^malformed msgpack frame: /);
    }
    const caller = await connect();
    const echo = await caller.getService('echo');
    expect(await echo.echo?.('still here')).toBe('still here');
  });
});
