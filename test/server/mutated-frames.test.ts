/**
 * Property tests: valid frames with random damage (bytes flipped, cut, inserted) and hostile
 * values (keys of any type, strings that are not UTF-8, extensions of any type and size, header
 * fields in bodies) go into the decoder, the body check, the peer engine and a live hub. Nothing
 * may throw out of a handler, the body check accepts exactly what every official decoder reads,
 * and the hub keeps serving a well-behaved client afterwards.
 */
import { decode, ExtData } from '@msgpack/msgpack';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  checkBody,
  decodeFrame,
  decodeHead,
  encodeFrame,
  isMycelError,
  packValue,
  replaceHead,
  RESERVED_BODY_KEYS,
  RpcPeer,
  skipMsgpack,
} from '@mycel/protocol';
import { connectToServer } from '@mycel/client';
import { concatBytes } from '../helpers/assertions.js';
import { startTestHub } from '../helpers/hub.js';
import { hostileValue, jsDecodes, map, obj, pythonDecodes, str, type Raw } from '../helpers/raw-msgpack.js';
import { RawSocket } from '../helpers/raw-socket.js';

const VALID_FRAMES = [
  encodeFrame({ type: 'method', to: 'public/w', method: 'services.math.add', session: 's1' }, { args: [1, 2], promise: '*', t: 15 }),
  encodeFrame({ type: 'method', to: 'public/w', method: 's1.resolve', parent: 's1' }, { args: [{ nested: [1, 'x', null] }] }),
  encodeFrame(
    { type: 'method', to: '*/manager-mycel', method: 'services.default.echo', session: 's2' },
    { args: [new Uint8Array([1, 2, 3])], promise: { resolve: { _rtype: 'method', _rtarget: 'c', _rmethod: 's2.resolve', _rpromise: false } } },
  ),
  encodeFrame({ type: 'service_added', to: '*', data: { id: 'public/w:x', config: { visibility: 'public' } } }),
];

/** A valid frame with 1-4 random mutations applied. */
const mutatedFrame = fc
  .tuple(
    fc.constantFrom(...VALID_FRAMES),
    fc.array(
      fc.oneof(
        fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }),
        fc.record({ kind: fc.constant('cut' as const), at: fc.nat() }),
        fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }),
      ),
      { minLength: 1, maxLength: 4 },
    ),
  )
  .map(([frame, mutations]) => {
    let bytes = Array.from(frame);
    for (const m of mutations) {
      const at = bytes.length === 0 ? 0 : m.at % bytes.length;
      if (m.kind === 'flip') bytes[at] = m.value;
      else if (m.kind === 'cut') bytes = bytes.slice(0, at);
      else bytes.splice(at, 0, m.value);
    }
    return new Uint8Array(bytes);
  });

describe('mutated valid frames', () => {
  it('make the decoder return or throw BAD_MESSAGE, nothing else', () => {
    fc.assert(
      fc.property(mutatedFrame, (bytes) => {
        for (const decode of [decodeHead, decodeFrame]) {
          try {
            decode(bytes);
          } catch (error) {
            expect(isMycelError(error) && error.code === 'BAD_MESSAGE').toBe(true);
          }
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('never make the peer engine throw', () => {
    const sent: Uint8Array[] = [];
    const peer = new RpcPeer({ workspace: 'public', clientId: 'w', send: (f) => sent.push(f) });
    peer.addService({ id: 'math', config: { visibility: 'public' }, add: (a: number, b: number) => a + b });
    fc.assert(
      fc.property(mutatedFrame, (bytes) => {
        expect(() => peer.handleFrame(bytes)).not.toThrow();
      }),
      { numRuns: 2000 },
    );
    peer.close();
  });

  it('leave the hub serving others', async () => {
    await expectHubServesOthers(fc.array(mutatedFrame, { minLength: 1, maxLength: 10 }), 100);
  });
});

/** Whether a value @msgpack/msgpack decoded holds an extension other than the timestamp. */
function hasForeignExtension(value: unknown): boolean {
  if (value instanceof ExtData) return true;
  if (value === null || typeof value !== 'object' || value instanceof Date || value instanceof Uint8Array) return false;
  return Object.values(value).some(hasForeignExtension);
}

/** The scan's verdict on one value: true when accepted, false on BAD_MESSAGE. */
function scanAccepts(bytes: Raw): boolean {
  try {
    return skipMsgpack(bytes, 0, 100) === bytes.length;
  } catch (error) {
    if (isMycelError(error) && error.code === 'BAD_MESSAGE') return false;
    throw error;
  }
}

describe('hostile values', () => {
  it('are accepted by the scan only when @msgpack/msgpack reads them, with no foreign extension', () => {
    fc.assert(
      fc.property(hostileValue, (bytes) => {
        if (scanAccepts(bytes)) expect(jsDecodes(bytes) && !hasForeignExtension(decode(bytes))).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });

  it('are accepted by the scan exactly when both official decoders read them (no foreign extension)', () => {
    const samples = fc.sample(hostileValue, 400);
    const python = pythonDecodes(samples);
    samples.forEach((bytes, i) => {
      const plain = jsDecodes(bytes) && !hasForeignExtension(decode(bytes)) && python[i] === true;
      expect({ hex: Buffer.from(bytes).toString('hex'), accepted: scanAccepts(bytes) }).toEqual({
        hex: Buffer.from(bytes).toString('hex'),
        accepted: plain,
      });
    });
  });

  it('in a header either decode to something the hub can pack again or are refused with BAD_MESSAGE', () => {
    fc.assert(
      fc.property(hostileValue, fc.constantFrom('x', 'to', 'session', 'user'), (value, field) => {
        const fields: [Raw, Raw][] = [[str('type'), str('method')], [str('to'), str('public/w')], [str(field), value]];
        const frame = map(...fields);
        let head: ReturnType<typeof decodeHead>;
        try {
          head = decodeHead(frame);
        } catch (error) {
          expect(isMycelError(error) && error.code === 'BAD_MESSAGE').toBe(true);
          return;
        }
        expect(() => replaceHead(head.main as object, frame, head.restOffset)).not.toThrow();
      }),
      { numRuns: 1000 },
    );
  });

  it('in a body are refused when a top-level key is a header field, and only then', () => {
    const key = fc.oneof(fc.constantFrom(...RESERVED_BODY_KEYS), fc.constantFrom('args', 'promise', 't', 'with_kwargs', '_enc', 'data'), fc.string({ maxLength: 8 }));
    const head = packValue({ type: 'method', to: 'public/w' });
    fc.assert(
      fc.property(fc.uniqueArray(key, { maxLength: 6 }), fc.constantFrom(...RESERVED_BODY_KEYS), (keys, nestedKey) => {
        // Header field names one level down are argument data and stay allowed.
        const body = obj(Object.fromEntries([...keys.map((k) => [k, obj({ [nestedKey]: str('x') })])]));
        let refused = false;
        try {
          checkBody(concatBytes(head, body), head.length);
        } catch (error) {
          expect(isMycelError(error) && error.code === 'BAD_MESSAGE').toBe(true);
          refused = true;
        }
        expect(refused).toBe(keys.some((k) => RESERVED_BODY_KEYS.includes(k)));
      }),
      { numRuns: 1000 },
    );
  });

  it('leave the hub serving others', async () => {
    const head = encodeFrame({ type: 'method', to: 'public/w', method: 'services.math.add', session: 'h1' });
    const frames = fc.array(hostileValue, { minLength: 1, maxLength: 10 }).map((values) =>
      values.flatMap((value) => [
        concatBytes(head, obj({ args: value, promise: str('*') })),
        map([str('type'), str('method')], [str('to'), str('public/w')], [str('x'), value]),
      ]),
    );
    await expectHubServesOthers(frames, 50);
  });
});

/**
 * Sends each generated batch of frames to a live hub from one client; afterwards the hub must
 * still serve a call between two others and keep the sender connected.
 */
async function expectHubServesOthers(batches: fc.Arbitrary<Uint8Array[]>, numRuns: number): Promise<void> {
  await using hub = await startTestHub();
  const { socket: attacker } = await RawSocket.connect(hub.url, 'attacker');
  const victim = await connectToServer({ server_url: hub.url, client_id: 'w', reconnect: false });
  await victim.registerService({ id: 'math', config: { visibility: 'public' }, add: (a: number, b: number) => a + b });
  await fc.assert(
    fc.asyncProperty(batches, async (frames) => {
      for (const frame of frames) attacker.ws.send(frame);
      // Drain the hub's answers (rejects for damaged calls) up to the pong of this round.
      attacker.ws.send(JSON.stringify({ type: 'ping' }));
      for (;;) {
        const frame = await attacker.next();
        if (!frame.isBinary && JSON.parse(frame.data.toString('utf8')).type === 'pong') break;
      }
    }),
    { numRuns },
  );
  const caller = await connectToServer({ server_url: hub.url, reconnect: false });
  const math = await caller.getService<{ add(a: number, b: number): number }>('math');
  expect(await math.add(2, 3)).toBe(5);
  expect(hub.clients.has('public/attacker')).toBe(true);
  await caller.disconnect();
  await victim.disconnect();
}
