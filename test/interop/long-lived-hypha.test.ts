/**
 * Long-lived interfaces (`_rintf`) with the official hypha-rpc JavaScript client, both ways: a
 * hypha-rpc caller gives one to a Mycel worker that calls it later, and a Mycel caller gives one
 * (`longLived`) to a hypha-rpc worker that calls it later; the holder's `_dispose()` releases it.
 * An ordinary callback called late still fails, with the message that says what to use instead.
 */
import { describe, expect, it } from 'vitest';
import { connectToServer, longLived } from '@mycel/client';
import { startInteropSession } from '../helpers/interop.js';

type Progress = { progress(n: number): Promise<unknown>; _dispose(): Promise<unknown> };

/** The keeper service, the same for both kinds of worker. */
function keeperService(kept: unknown[]) {
  return {
    id: 'keeper',
    config: { visibility: 'public' as const },
    keep: (value: unknown) => kept.push(value) - 1,
    fire: async (index: number, n: number) => {
      const value = kept[index];
      return typeof value === 'function' ? value(n) : (value as Progress).progress(n);
    },
    dispose: async (index: number) => {
      await (kept[index] as Progress)._dispose();
      return true;
    },
  };
}

describe('long-lived interfaces with hypha-rpc', () => {
  it('a hypha-rpc caller gives one to a Mycel worker, which calls it later and disposes of it', async () => {
    const { hub, connect } = await startInteropSession();
    const kept: unknown[] = [];
    const worker = await connectToServer({ server_url: hub.url, client_id: 'mycel-keeper' });
    try {
      await worker.registerService(keeperService(kept));
      const caller = await connect({ client_id: 'hypha-owner' });
      const keeper = await caller.getService('keeper');
      const seen: number[] = [];
      const index = await keeper.keep?.({ _rintf: true, progress: (n: number) => (seen.push(n), n * 2) });
      expect(await keeper.fire?.(index, 1)).toBe(2);
      expect(await keeper.fire?.(index, 2)).toBe(4);
      expect(seen).toEqual([1, 2]);
      expect(await keeper.dispose?.(index)).toBe(true);
      await expect(keeper.fire?.(index, 3)).rejects.toThrow();
      expect(seen).toEqual([1, 2]);
    } finally {
      await worker.disconnect();
    }
  });

  it('a Mycel caller gives one to a hypha-rpc worker, which calls it later and disposes of it', async () => {
    const { hub, connect } = await startInteropSession();
    const kept: unknown[] = [];
    const worker = await connect({ client_id: 'hypha-keeper' });
    await worker.registerService(keeperService(kept));
    const owner = await connectToServer({ server_url: hub.url, client_id: 'mycel-owner' });
    try {
      const keeper = await owner.getService<{ keep(v: unknown): number; fire(i: number, n: number): number; dispose(i: number): boolean }>('keeper');
      const seen: number[] = [];
      const index = await keeper.keep(longLived({ progress: (n: number) => (seen.push(n), n * 3) }));
      const fnIndex = await keeper.keep(longLived((n: number) => n + 100));
      expect(await keeper.fire(index, 1)).toBe(3);
      expect(await keeper.fire(fnIndex, 1)).toBe(101);
      expect(await keeper.dispose(index)).toBe(true);
      await expect(keeper.fire(index, 2)).rejects.toThrow(/long-lived interface "_rintf_[\w-]+" is gone: it was disposed of, or its holder left/);
      expect(seen).toEqual([1]);
      // An ordinary callback, kept past its call, fails and says what to use instead.
      const plain = await keeper.keep((n: number) => n);
      await expect(keeper.fire(plain, 1)).rejects.toThrow(/is gone: it was passed with a call that has ended.*longLived\(fn\)/);
    } finally {
      await owner.disconnect();
    }
  });

  it('given through balanced proxies, either way, are called later by each instance', async () => {
    const { hub, connect } = await startInteropSession();
    const mycelKept: unknown[] = [];
    const hyphaKept: unknown[] = [];
    const mycelWorker = await connectToServer({ server_url: hub.url, client_id: 'mycel-w' });
    const hyphaWorker = await connect({ client_id: 'hypha-w' });
    const owner = await connectToServer({ server_url: hub.url, client_id: 'mycel-owner' });
    try {
      const service = (kept: unknown[], who: string) => ({ ...keeperService(kept), keepHere: (value: unknown) => ({ who, index: kept.push(value) - 1 }) });
      await mycelWorker.registerService(service(mycelKept, 'mycel-w'));
      await hyphaWorker.registerService(service(hyphaKept, 'hypha-w'));
      const kept = { 'mycel-w': mycelKept, 'hypha-w': hyphaKept } as Record<string, unknown[]>;
      const hyphaOwner = await connect({ client_id: 'hypha-owner' });
      const viaMycel = await owner.getService<{ keepHere(v: unknown): { who: string; index: number } }>('keeper', { mode: 'balance:round_robin' });
      const viaHypha = await hyphaOwner.getService('keeper', { mode: 'balance:round_robin' });
      const seen: string[] = [];
      const given: { who: string; index: number }[] = [];
      for (let i = 0; i < 2; i++) {
        given.push(await viaMycel.keepHere(longLived({ progress: (n: number) => (seen.push(`mycel:${n}`), n) })));
        given.push((await viaHypha.keepHere?.({ _rintf: true, progress: (n: number) => (seen.push(`hypha:${n}`), n) })) as { who: string; index: number });
      }
      expect(new Set(given.map((g) => g.who))).toEqual(new Set(['mycel-w', 'hypha-w']));
      // Later, each instance calls what it was given on its own, not through any proxy.
      for (const [i, { who, index }] of given.entries()) {
        expect(await (kept[who]?.[index] as Progress).progress(i)).toBe(i);
      }
      expect(seen.sort()).toEqual(['hypha:1', 'hypha:3', 'mycel:0', 'mycel:2']);
    } finally {
      await owner.disconnect();
      await mycelWorker.disconnect();
    }
  });
});
