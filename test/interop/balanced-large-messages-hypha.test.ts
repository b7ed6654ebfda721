/**
 * Messages over the chunk threshold (256 KiB) through `balance:` proxies with the official
 * hypha-rpc JavaScript client: it asks the virtual peer for its `built-in` service, sends the
 * chunks to the instance that answered, and accepts the answer only in the virtual peer's name.
 */
import { describe, expect, it, vi } from 'vitest';
import { connectToServer } from '@mycel/client';
import { startInteropSession } from '../helpers/interop.js';

const MIB = 1024 * 1024;

function payload(size: number, seed: number): Uint8Array {
  const bytes = new Uint8Array(size);
  for (let i = 0; i < size; i++) bytes[i] = (i * 13 + seed) & 0xff;
  return bytes;
}

function sum(bytes: Uint8Array): number {
  let total = 0;
  for (const b of bytes) total += b;
  return total;
}

describe('large messages through balance: proxies with hypha-rpc', () => {
  it('a hypha-rpc caller sends 1 MiB arguments to Mycel workers in turn and gets 1 MiB back', async () => {
    const { hub, connect } = await startInteropSession();
    const workers = [];
    for (const name of ['w0', 'w1']) {
      const worker = await connectToServer({ server_url: hub.url, client_id: name });
      workers.push(worker);
      await worker.registerService({
        id: 'blob',
        config: { visibility: 'public' },
        size: (data: Uint8Array) => ({ who: name, size: data.length, sum: sum(data) }),
        echo: (data: Uint8Array) => data,
      });
    }
    try {
      const caller = await connect({ client_id: 'hypha-caller' });
      const blob = await caller.getService('blob', { mode: 'balance:round_robin' });
      const data = payload(MIB, 3);
      const served = new Set<unknown>();
      for (let i = 0; i < 4; i++) {
        const answer = (await blob.size?.(data)) as { who: string; size: number; sum: number };
        expect(answer).toMatchObject({ size: MIB, sum: sum(data) });
        served.add(answer.who);
      }
      expect(served).toEqual(new Set(['w0', 'w1']));
      const back = (await blob.echo?.(data)) as Uint8Array;
      expect(Buffer.from(back).equals(Buffer.from(data))).toBe(true);
      expect(hub.chunkRelays.size).toBe(0);
    } finally {
      for (const worker of workers) await worker.disconnect();
    }
  });

  it('a Mycel caller and a hypha-rpc caller send 1 MiB to hypha-rpc workers in turn', async () => {
    const { hub, connect } = await startInteropSession();
    const workers = [];
    for (const name of ['h0', 'h1']) {
      const worker = await connect({ client_id: name });
      workers.push(worker);
      await worker.registerService({
        id: 'blob',
        config: { visibility: 'public' },
        size: (data: Uint8Array) => ({ who: name, size: data.length, sum: sum(data) }),
        echo: (data: Uint8Array) => data,
      });
    }
    const data = payload(MIB, 5);
    const mycel = await connectToServer({ server_url: hub.url, client_id: 'mycel-caller' });
    try {
      const viaMycel = await mycel.getService<{ size(d: Uint8Array): { who: string; size: number; sum: number }; echo(d: Uint8Array): Uint8Array }>(
        'blob',
        { mode: 'balance:round_robin' },
      );
      const hypha = await connect({ client_id: 'hypha-caller' });
      const viaHypha = await hypha.getService('blob', { mode: 'balance:round_robin' });
      for (const call of [(d: Uint8Array) => viaMycel.size(d), async (d: Uint8Array) => (await viaHypha.size?.(d)) as { who: string }]) {
        const served = new Set<unknown>();
        for (let i = 0; i < 4; i++) {
          const answer = await call(data);
          expect(answer).toMatchObject({ size: MIB, sum: sum(data) });
          served.add(answer.who);
        }
        expect(served).toEqual(new Set(['h0', 'h1']));
      }
      expect(Buffer.from(await viaMycel.echo(data)).equals(Buffer.from(data))).toBe(true);
      expect(Buffer.from((await viaHypha.echo?.(data)) as Uint8Array).equals(Buffer.from(data))).toBe(true);
      expect(hub.chunkRelays.size).toBe(0);
      // A worker's last chunk call (`process`) is answered after its caller has the result:
      // once the hub has passed every answer on, a round trip to the hub puts it behind them,
      // so no worker closes while it waits for one (hypha-rpc reports that as unhandled).
      await vi.waitFor(() => expect(['public/mycel-caller', 'public/hypha-caller'].map((id) => hub.inFlightTo(id))).toEqual([0, 0]));
      for (const worker of workers) await worker.echo('settled');
    } finally {
      await mycel.disconnect();
    }
  });
});
