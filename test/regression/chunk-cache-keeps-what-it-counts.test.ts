/**
 * The chunk cache counts the memory it keeps. A decoded chunk is a view into the whole frame it
 * came in, and the cache used to store that view: one-byte chunks sent in large frames pinned
 * every frame (192 MiB against a 64 MiB cap) while the cache counted a byte each. It now stores
 * copies, and charges each message and chunk an overhead, so tiny chunks are counted too.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it, vi } from 'vitest';
import { MycelError } from '../../packages/protocol/src/errors.js';
import { MessageCache } from '../../packages/protocol/src/message-cache.js';
import { connectTestClient } from '../helpers/clients.js';
import { startTestHub } from '../helpers/hub.js';
import { connectWirePeer } from '../helpers/wire-peer.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const MiB = 1024 * 1024;
const CHUNKS = 24;

/** Off-heap bytes of this process (ArrayBuffers: frames, chunks) after a full collection. */
function arrayBufferBytes(): number {
  gc();
  return process.memoryUsage().arrayBuffers;
}

describe('the chunk cache', () => {
  it('does not keep the frames that one-byte chunks came in (SDK worker and hub manager)', async () => {
    await using hub = await startTestHub();
    const worker = await connectTestClient(hub.url, { client_id: 'w', reconnect: false });
    const sender = await connectWirePeer(hub.url, 'sender');
    const targets = ['public/w', hub.managerId];
    const append = (target: string, key: string, data: Uint8Array, padding?: Uint8Array) =>
      // The fourth argument takes the place of the call context, which the receiver fills in: it
      // only makes the frame large.
      sender.peer.call(target, 'services.built-in.message_cache.append', [key, data, false, ...(padding ? [padding] : [])]);
    for (const target of targets) {
      await sender.peer.call(target, 'services.built-in.message_cache.create', ['k', false, false]);
      await append(target, 'k', new Uint8Array([0]));
    }
    const baseline = arrayBufferBytes();

    // 2 receivers x 24 one-byte chunks, each in a 1 MiB frame: 48 MiB if the frames are kept.
    for (let i = 0; i < CHUNKS; i++) {
      await Promise.all(targets.map((target) => append(target, 'k', new Uint8Array([i + 1]), new Uint8Array(MiB))));
    }
    await vi.waitFor(
      () => expect(arrayBufferBytes() - baseline, 'bytes still held after the chunks were stored').toBeLessThan(12 * MiB),
      { timeout: 10_000, interval: 50 },
    );
    // The chunks themselves are kept.
    for (const target of targets) await sender.peer.call(target, 'services.built-in.message_cache.remove', ['k']);
    expect(worker.isConnected).toBe(true);
  });

  it('charges a fixed overhead per chunk, so one-byte chunks cannot hold memory it does not count', () => {
    const cache = new MessageCache();
    const one = new Uint8Array([1]);
    let stored = 0;
    let refusal: unknown;
    // 64 MiB per sender: a byte a chunk would allow 67 million chunks; with the overhead, far fewer.
    outer: for (let m = 0; m < 64; m++) {
      cache.create(`k${m}`, 'ws/a', false);
      for (let c = 0; c < 65_536; c++) {
        try {
          cache.append(`k${m}`, 'ws/a', one);
        } catch (error) {
          refusal = error;
          break outer;
        }
        stored++;
      }
    }
    expect(refusal).toBeInstanceOf(MycelError);
    expect(refusal).toMatchObject({ code: 'LIMIT_EXCEEDED', message: `too many cached bytes from one sender (limit ${64 * MiB})` });
    expect(stored).toBeLessThan((64 * MiB) / 64);
  });
});
