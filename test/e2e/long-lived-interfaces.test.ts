/**
 * Long-lived interfaces (hypha-rpc's `_rintf`) between SDK clients: an object marked
 * `_rintf: true` (or a function wrapped in `longLived`) stays callable after the call that
 * brought it has ended, only by the peer it was given to, until the holder disposes of it, the
 * owner does, or the holder leaves; their number per holder is capped. Through a balanced proxy
 * too: the instance's later calls reach the caller in the proxy's name.
 */
import { describe, expect, it, vi } from 'vitest';
import { longLived, type MycelClient } from '@mycel/client';
import { MAX_LONG_LIVED_PER_HOLDER } from '@mycel/protocol';
import { connectTestClient } from '../helpers/clients.js';
import { startTestHub, type TestHub } from '../helpers/hub.js';

type Progress = { progress(n: number): Promise<string>; _dispose(): Promise<void>; _rintf_service_id: string };

/** A worker whose `keep` stores what it is given and whose `fire(n)` calls it later. */
async function startKeeper(hub: TestHub, clientId = 'keeper', serviceId = 'keeper'): Promise<{ client: MycelClient; kept: unknown[] }> {
  const client = await connectTestClient(hub.url, { client_id: clientId });
  const kept: unknown[] = [];
  await client.registerService({
    id: serviceId,
    config: { visibility: 'public' },
    keep: (value: unknown) => (kept.push(value), kept.length - 1),
    keepHere: (value: unknown) => ({ who: clientId, index: kept.push(value) - 1 }),
    fire: async (index: number, n: number) => {
      const value = kept[index];
      return typeof value === 'function' ? value(n) : (value as Progress).progress(n);
    },
    dispose: async (index: number) => (kept[index] as Progress)._dispose(),
    whoami: () => clientId,
  });
  return { client, kept };
}

interface Keeper {
  keep(value: unknown): number;
  keepHere(value: unknown): { who: string; index: number };
  fire(index: number, n: number): unknown;
  dispose(index: number): void;
  whoami(): string;
}

const GONE = /^long-lived interface "_rintf_[\w-]+" is gone: it was disposed of, or its holder left$/;

describe('long-lived interfaces between SDK clients', () => {
  it('stay callable after their call ended, until the holder disposes of them', async () => {
    await using hub = await startTestHub();
    const { kept } = await startKeeper(hub);
    const owner = await connectTestClient(hub.url, { client_id: 'owner' });
    const keeper = await owner.getService<Keeper>('keeper');
    const seen: number[] = [];
    const progress = { _rintf: true, progress: (n: number) => (seen.push(n), `got ${n}`) };
    const index = await keeper.keep(progress);
    expect(kept[index]).toMatchObject({ _rintf: true, _rintf_service_id: expect.stringMatching(/^_rintf_/) });
    expect(await keeper.fire(index, 1)).toBe('got 1');
    expect(await keeper.fire(index, 2)).toBe('got 2');
    expect(seen).toEqual([1, 2]);
    // As hypha-rpc: the owner finds the id on its object.
    expect((progress as unknown as Progress)._rintf_service_id).toBe((kept[index] as Progress)._rintf_service_id);
    await keeper.dispose(index);
    await expect(keeper.fire(index, 3)).rejects.toThrow(GONE);
    expect(seen).toEqual([1, 2]);
  });

  it('wrap a single function with longLived, released by the owner', async () => {
    await using hub = await startTestHub();
    await startKeeper(hub);
    const owner = await connectTestClient(hub.url, { client_id: 'owner' });
    const keeper = await owner.getService<Keeper>('keeper');
    const onEvent = longLived((n: number) => n * 10);
    const index = await keeper.keep(onEvent);
    expect(await keeper.fire(index, 4)).toBe(40);
    // The same function given to the same peer again is the same interface.
    expect(await keeper.fire(await keeper.keep(onEvent), 5)).toBe(50);
    expect(owner.disposeLongLived(onEvent)).toBe(1);
    await expect(keeper.fire(index, 6)).rejects.toThrow(GONE);
  });

  it('answer only the peer they were given to', async () => {
    await using hub = await startTestHub();
    const { kept } = await startKeeper(hub);
    const owner = await connectTestClient(hub.url, { client_id: 'owner' });
    const keeper = await owner.getService<Keeper>('keeper');
    const index = await keeper.keep(longLived({ progress: (n: number) => n }));
    const id = (kept[index] as Progress)._rintf_service_id;
    const other = await connectTestClient(hub.url, { client_id: 'other' });
    await expect(other.getService(`public/owner:${id}`)).rejects.toThrow();
    const stranger = await connectTestClient(hub.url, { client_id: 'stranger' });
    await stranger.registerService({
      id: 'replay',
      config: { visibility: 'public' },
      call: (fn: (n: number) => Promise<number>) => fn(1),
    });
    // A descriptor of the interface's method, replayed by another peer, is refused.
    const replay = await owner.getService<{ call(fn: unknown): Promise<number> }>('public/stranger:replay');
    await expect(replay.call((kept[index] as Progress).progress)).rejects.toThrow(
      new RegExp(`^permission denied: "public/stranger" may not call long-lived interface "${id}", which was given to "public/keeper"$`),
    );
  });

  it('are released when their holder leaves', async () => {
    await using hub = await startTestHub();
    const { client: holder } = await startKeeper(hub);
    const owner = await connectTestClient(hub.url, { client_id: 'owner' });
    const keeper = await owner.getService<Keeper>('keeper');
    const progress = longLived({ progress: (n: number) => n });
    await keeper.keep(progress);
    await holder.disconnect();
    // Released, not only unreachable: disposing of it finds nothing left.
    await vi.waitFor(() => expect(owner.disposeLongLived(progress)).toBe(0));
  });

  it('are capped per holder, with an error that says what to do', async () => {
    await using hub = await startTestHub();
    await startKeeper(hub);
    const owner = await connectTestClient(hub.url, { client_id: 'owner' });
    const keeper = await owner.getService<Keeper>('keeper');
    for (let i = 0; i < MAX_LONG_LIVED_PER_HOLDER; i++) await keeper.keep(longLived((n: number) => n + i));
    await expect(keeper.keep(longLived((n: number) => n))).rejects.toMatchObject({
      code: 'LIMIT_EXCEEDED',
      message: `too many long-lived interfaces for "public/keeper" (limit ${MAX_LONG_LIVED_PER_HOLDER}); dispose of the ones it no longer needs (_dispose())`,
    });
  });

  it('given through a balanced proxy, reach the caller in the proxy name when an instance calls later', async () => {
    await using hub = await startTestHub();
    const keepers = [await startKeeper(hub, 'k0', 'pool'), await startKeeper(hub, 'k1', 'pool')];
    const owner = await connectTestClient(hub.url, { client_id: 'owner' });
    const pool = await owner.getService<Keeper>('pool', { mode: 'balance:round_robin' });
    const seen: string[] = [];
    const indexes = new Map<string, number>();
    for (let i = 0; i < 2; i++) {
      const { who, index } = await pool.keepHere(longLived({ progress: (n: number) => (seen.push(`${i}:${n}`), n) }));
      indexes.set(who, index);
    }
    expect([...indexes.keys()].sort()).toEqual(['k0', 'k1']);
    // Later, each instance calls its interface on its own (not through the proxy).
    for (const { client, kept } of keepers) {
      const name = client.config.client_id;
      const value = kept[indexes.get(name) ?? -1] as Progress;
      expect(await value.progress(7)).toBe(7);
    }
    expect(seen.sort()).toEqual(['0:7', '1:7']);
  });

  it('returned as a result, are the caller\'s to call later; none is registered with the hub', async () => {
    await using hub = await startTestHub();
    const worker = await connectTestClient(hub.url, { client_id: 'counter' });
    let count = 0;
    await worker.registerService({
      id: 'counters',
      config: { visibility: 'public' },
      open: () => longLived({ next: () => ++count }),
    });
    const caller = await connectTestClient(hub.url, { client_id: 'caller' });
    const counters = await caller.getService<{ open(): { next(): Promise<number>; _dispose(): Promise<void> } }>('counters');
    const counter = await counters.open();
    expect([await counter.next(), await counter.next()]).toEqual([1, 2]);
    expect(hub.registry.list().map((record) => record.id).filter((id) => id.includes('_rintf_'))).toEqual([]);
    await counter._dispose();
    await expect(counter.next()).rejects.toThrow(GONE);
  });
});
