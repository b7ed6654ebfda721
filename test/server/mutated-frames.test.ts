/**
 * Property tests: valid frames with random damage (bytes flipped, cut, inserted) go into the
 * decoder, the peer engine and a live hub. Nothing may throw out of a handler, and the hub keeps
 * serving a well-behaved client afterwards.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeFrame, decodeHead, encodeFrame, isMycelError, RpcPeer } from '@mycel/protocol';
import { connectToServer } from '@mycel/client';
import { startTestHub } from '../helpers/hub.js';
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
    await using hub = await startTestHub();
    const { socket: attacker } = await RawSocket.connect(hub.url, 'attacker');
    const victim = await connectToServer({ server_url: hub.url, client_id: 'w', reconnect: false });
    await victim.registerService({ id: 'math', config: { visibility: 'public' }, add: (a: number, b: number) => a + b });
    await fc.assert(
      fc.asyncProperty(fc.array(mutatedFrame, { minLength: 1, maxLength: 10 }), async (frames) => {
        for (const frame of frames) attacker.ws.send(frame);
        // Drain the hub's answers (rejects for damaged calls) up to the pong of this round.
        attacker.ws.send(JSON.stringify({ type: 'ping' }));
        for (;;) {
          const frame = await attacker.next();
          if (!frame.isBinary && JSON.parse(frame.data.toString('utf8')).type === 'pong') break;
        }
      }),
      { numRuns: 100 },
    );
    const caller = await connectToServer({ server_url: hub.url, reconnect: false });
    const math = await caller.getService<{ add(a: number, b: number): number }>('math');
    expect(await math.add(2, 3)).toBe(5);
    expect(hub.clients.has('public/attacker')).toBe(true);
    await caller.disconnect();
    await victim.disconnect();
  });
});
