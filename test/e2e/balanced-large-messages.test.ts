/**
 * Messages over the chunk threshold (256 KiB) through a `balance:` proxy: the chunks of one
 * message stick to one instance, the call they carry is answered in the proxy's name, and a
 * large answer comes back the same way. SDK callers and workers here; the official clients in
 * `test/interop/balanced-large-messages-hypha.test.ts`.
 */
import { describe, expect, it } from 'vitest';
import { connectTestClient } from '../helpers/clients.js';
import { startTestHub } from '../helpers/hub.js';

const MIB = 1024 * 1024;

function payload(size: number, seed: number): Uint8Array {
  const bytes = new Uint8Array(size);
  for (let i = 0; i < size; i++) bytes[i] = (i * 31 + seed) & 0xff;
  return bytes;
}

describe('a balanced proxy with large messages', () => {
  it('takes a 1 MiB argument and gives back a 1 MiB result, on every instance in turn', async () => {
    await using hub = await startTestHub();
    for (const name of ['w0', 'w1', 'w2']) {
      const worker = await connectTestClient(hub.url, { client_id: name });
      await worker.registerService({
        id: 'blob',
        config: { visibility: 'public' },
        size: (data: Uint8Array) => ({ who: name, size: data.length, sum: data.reduce((a, b) => a + b, 0) }),
        echo: (data: Uint8Array) => data,
      });
    }
    const caller = await connectTestClient(hub.url, { client_id: 'caller' });
    const blob = await caller.getService<{
      size(data: Uint8Array): { who: string; size: number; sum: number };
      echo(data: Uint8Array): Uint8Array;
    }>('blob', { mode: 'balance:round_robin' });
    const data = payload(MIB, 7);
    const expectedSum = data.reduce((a, b) => a + b, 0);
    const served = new Set<string>();
    for (let i = 0; i < 3; i++) {
      const answer = await blob.size(data);
      expect(answer).toMatchObject({ size: MIB, sum: expectedSum });
      served.add(answer.who);
    }
    expect(served).toEqual(new Set(['w0', 'w1', 'w2']));
    const back = await blob.echo(data);
    expect(back.length).toBe(MIB);
    expect(Buffer.from(back).equals(Buffer.from(data))).toBe(true);
    // Nothing is left behind: the hub's chunk sessions end with their messages.
    expect(hub.chunkRelays.size).toBe(0);
  });
});
