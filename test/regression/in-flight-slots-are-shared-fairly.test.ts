/**
 * A worker's in-flight slots are shared fairly between callers. Each caller was bounded on its
 * own (`maxInFlightPerCaller`), but ten callers at their bound filled every slot of the worker
 * (`maxInFlightPerClient`), and an honest caller was locked out. Now, while others hold slots, a
 * caller may take one more only while more are free than it holds already.
 */
import { describe, expect, it } from 'vitest';
import { encodeFrame } from '@mycel/protocol';
import { connectTestClient } from '../helpers/clients.js';
import { startTestHub } from '../helpers/hub.js';
import { RawSocket } from '../helpers/raw-socket.js';

const PER_CLIENT = 100;
const PER_CALLER = 10;
const HOGS = 10;

/** Reads frames until the `pong` of a `ping` sent now: every frame sent before it was routed. */
async function routed(socket: RawSocket): Promise<number> {
  socket.ws.send(JSON.stringify({ type: 'ping' }));
  let refused = 0;
  for (;;) {
    const frame = await socket.next();
    if (!frame.isBinary && JSON.parse(frame.data.toString('utf8')).type === 'pong') return refused;
    if (frame.isBinary) refused++;
  }
}

describe('the in-flight slots of one worker', () => {
  it(`leave room for another caller when ${HOGS} callers each hold all they may`, async () => {
    // The default ratio: each caller may hold a tenth of a worker's slots.
    await using hub = await startTestHub({ maxInFlightPerClient: PER_CLIENT, maxInFlightPerCaller: PER_CALLER });
    const worker = await connectTestClient(hub.url, { client_id: 'w', reconnect: false });
    await worker.registerService({
      id: 'svc',
      config: { visibility: 'public' },
      hold: () => new Promise(() => {}),
      ok: () => 'ok',
    });
    let refused = 0;
    for (let h = 0; h < HOGS; h++) {
      const { socket } = await RawSocket.connect(hub.url, `hog${h}`);
      for (let i = 0; i < PER_CALLER; i++) {
        // Calls with a session and no promise: the worker never answers them.
        socket.ws.send(encodeFrame({ type: 'method', to: 'public/w', method: 'services.svc.hold', session: `s${i}` }, { args: [] }));
      }
      refused += await routed(socket);
    }
    const held = hub.inFlightTo('public/w');
    expect(held + refused).toBe(HOGS * PER_CALLER);
    expect(held).toBeLessThan(PER_CLIENT);

    const caller = await connectTestClient(hub.url, { reconnect: false });
    const svc = await caller.getService<{ ok(): string }>('svc');
    expect(await svc.ok()).toBe('ok');
  });

  it('let one caller alone use up to its own limit', async () => {
    await using hub = await startTestHub({ maxInFlightPerClient: PER_CLIENT, maxInFlightPerCaller: PER_CLIENT });
    const worker = await connectTestClient(hub.url, { client_id: 'w', reconnect: false });
    await worker.registerService({ id: 'svc', config: { visibility: 'public' }, hold: () => new Promise(() => {}) });
    const { socket } = await RawSocket.connect(hub.url, 'alone');
    for (let i = 0; i < PER_CLIENT; i++) {
      socket.ws.send(encodeFrame({ type: 'method', to: 'public/w', method: 'services.svc.hold', session: `s${i}` }, { args: [] }));
    }
    expect(await routed(socket)).toBe(0);
    expect(hub.inFlightTo('public/w')).toBe(PER_CLIENT);
  });
});
