/**
 * hypha-rpc clients and a Mycel hub: large messages (hypha-rpc's message_cache chunking) and the
 * `exact` / `random` / `first` / `last` selection modes over two instances of one service.
 */
import { describe, expect, it, vi } from 'vitest';
import type { HyphaApi } from '../helpers/hypha.js';
import { startInteropSession, type InteropSession } from '../helpers/interop.js';

function pattern(size: number, seed: number): Uint8Array {
  const bytes = new Uint8Array(size);
  for (let i = 0; i < size; i++) bytes[i] = (i * 31 + seed) & 0xff;
  return bytes;
}

/** Two workers registering the same service id, `w1` strictly before `w2`, and a caller. */
async function twoInstances(session: InteropSession): Promise<HyphaApi> {
  for (const name of ['w1', 'w2']) {
    const worker = await session.connect({ client_id: name });
    await worker.registerService({ id: 'twin', config: { visibility: 'public' }, who: () => name });
  }
  return session.connect({ client_id: 'caller' });
}

describe('large messages through a Mycel hub', () => {
  it('echoes a 600 KB Uint8Array through the manager (chunked by message_cache)', async () => {
    const { connect } = await startInteropSession();
    const client = await connect();
    const big = pattern(600 * 1024, 7);
    const echoed = await client.echo(big);
    expect(echoed).toBeInstanceOf(Uint8Array);
    expect((echoed as Uint8Array).length).toBe(big.length);
    expect(Buffer.from(echoed as Uint8Array).equals(Buffer.from(big))).toBe(true);
  });

  it('passes a 1 MB argument to a worker and returns it intact', async () => {
    const { connect, hub } = await startInteropSession();
    const worker = await connect({ client_id: 'w' });
    await worker.registerService({
      id: 'bulk',
      checksum: (data: Uint8Array) => {
        let sum = 0;
        for (const byte of data) sum = (sum + byte) % 1_000_000_007;
        return { length: data.length, sum };
      },
      reverse: (data: Uint8Array) => Uint8Array.from(data).reverse(),
    });
    const caller = await connect({ client_id: 'caller' });
    const bulk = await caller.getService('bulk');
    const big = pattern(1024 * 1024, 3);
    let expected = 0;
    for (const byte of big) expected = (expected + byte) % 1_000_000_007;
    expect(await bulk.checksum?.(big)).toEqual({ length: big.length, sum: expected });
    const reversed = (await bulk.reverse?.(big)) as Uint8Array;
    expect(reversed.length).toBe(big.length);
    expect(Buffer.from(reversed).equals(Buffer.from(Uint8Array.from(big).reverse()))).toBe(true);

    // The worker sent that 1 MB reply through the caller's message_cache and still awaits the
    // answer to its last chunk call. Let it land before the clients disconnect: hypha-rpc would
    // otherwise report its own send as an unhandled rejection.
    await vi.waitFor(() => expect(hub.inFlightTo('public/caller')).toBe(0), { timeout: 5_000 });
    expect(await bulk.checksum?.(Uint8Array.from([1, 2]))).toEqual({ length: 2, sum: 3 });
  });
});

describe('selection modes with two instances', () => {
  it('fails in exact mode and lists the candidates', async () => {
    const session = await startInteropSession();
    const caller = await twoInstances(session);
    const failure = caller.getService('twin', { mode: 'exact' });
    await expect(failure).rejects.toThrow(/multiple services found for "twin"/);
    await expect(failure).rejects.toThrow(/"public\/w1:twin"/);
    await expect(failure).rejects.toThrow(/"public\/w2:twin"/);
    await expect(failure).rejects.toThrow(/random/);
    // A query naming one client is exact again.
    expect(await (await caller.getService('w2:twin', { mode: 'exact' })).who?.()).toBe('w2');
  });

  it('picks the oldest registration in first mode and the newest in last mode', async () => {
    const session = await startInteropSession();
    const caller = await twoInstances(session);
    for (let i = 0; i < 5; i++) {
      expect(await (await caller.getService('twin', { mode: 'first' })).who?.()).toBe('w1');
      expect(await (await caller.getService('twin', { mode: 'last' })).who?.()).toBe('w2');
    }
  });

  it('reaches both instances in random mode', async () => {
    const session = await startInteropSession();
    const caller = await twoInstances(session);
    const seen = new Set<unknown>();
    // P(one instance never picked in 40 fair draws) = 2 * 2^-40.
    for (let i = 0; i < 40 && seen.size < 2; i++) {
      const svc = await caller.getService('twin', { mode: 'random' });
      seen.add(await svc.who?.());
    }
    expect([...seen].sort()).toEqual(['w1', 'w2']);
  });

  it('defaults to random in the public workspace', async () => {
    const session = await startInteropSession();
    const caller = await twoInstances(session);
    const seen = new Set<unknown>();
    for (let i = 0; i < 40 && seen.size < 2; i++) seen.add(await (await caller.getService('twin')).who?.());
    expect([...seen].sort()).toEqual(['w1', 'w2']);
  });

  it('rejects an unknown mode with the valid forms', async () => {
    const session = await startInteropSession();
    const caller = await twoInstances(session);
    await expect(caller.getService('twin', { mode: 'bogus' })).rejects.toThrow(/invalid mode "bogus".*select:min:FN/);
  });
});
