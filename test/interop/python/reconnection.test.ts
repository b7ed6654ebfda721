/**
 * Reconnection between Python and SDK peers: a worker or a caller whose socket drops comes back
 * under the same id (its services registered again) and the calls of the other kind work again.
 */
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { PAIRINGS, startPairingWorld, type PairingWorld } from '../../helpers/interop-callers.js';
import { describeWithPython } from '../../helpers/python.js';

describeWithPython('reconnection of Python and SDK peers', () => {
  let world: PairingWorld;
  beforeAll(async () => {
    world = await startPairingWorld();
  }, 30_000);
  afterAll(() => world?.close());

  /**
   * Drops the socket of `peerId` at the hub and waits until the client is back on a new socket
   * with `services` registered again.
   */
  async function dropAndAwaitReturn(peerId: string, services: string[] = []): Promise<void> {
    const { hub } = world;
    const old = hub.clients.get(peerId);
    expect(old).toBeDefined();
    old?.socket.terminate();
    // The Python client waits about 1 s before its first attempt; the SDK less.
    await vi.waitFor(
      () => {
        const now = hub.clients.get(peerId);
        expect(now !== undefined && now !== old).toBe(true);
        for (const service of services) expect(hub.registry.list({ serviceId: service }).map((r) => r.peerId)).toContain(peerId);
      },
      { timeout: 10_000, interval: 50 },
    );
  }

  /** Every pairing answers a call. */
  async function everyPairingAnswers(): Promise<void> {
    for (const [callerKind, , service] of PAIRINGS) {
      expect(await world.callers[callerKind].call({ service, method: 'add', args: [20, 22] }), `${callerKind} → ${service}`).toBe(42);
    }
  }

  it('serves every pairing again after the Python worker, then the SDK worker, lost its socket', async () => {
    await everyPairingAnswers();
    await dropAndAwaitReturn('public/py-worker', ['interop-py', 'built-in']);
    await everyPairingAnswers();
    await dropAndAwaitReturn('public/ts-worker', ['interop-ts']);
    await everyPairingAnswers();
  }, 30_000);

  it('serves every pairing again after the Python caller, then the SDK caller, lost its socket', async () => {
    await dropAndAwaitReturn('public/py-caller');
    await everyPairingAnswers();
    await dropAndAwaitReturn('public/ts-caller');
    await everyPairingAnswers();
  }, 30_000);
});
