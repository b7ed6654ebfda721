/**
 * One sender cannot push another sender's chunked message out of a receiver's cache. The cache
 * used to hold 256 messages per receiver and drop the oldest, whoever sent it: a flood of empty
 * `create` calls made an honest chunked call fail. Now each sender has its own message and byte
 * limits, and a full cache refuses new work instead of evicting.
 */
import { describe, expect, it } from 'vitest';
import { connectTestClient } from '../helpers/clients.js';
import { startTestHub } from '../helpers/hub.js';
import { connectWirePeer, type WirePeer } from '../helpers/wire-peer.js';

const FLOOD = 300;
const PER_SENDER = 64;

/** Calls `message_cache.{fn}` of `target`'s built-in service. */
function cache(from: WirePeer, target: string, fn: string, ...args: unknown[]): Promise<unknown> {
  return from.peer.call(target, `services.built-in.message_cache.${fn}`, args);
}

describe('the chunk cache of a receiver', () => {
  it.each(['an SDK worker', 'the hub manager'])(
    'keeps an honest chunked call to %s whole while another sender floods it with messages',
    async (receiver) => {
      await using hub = await startTestHub();
      const worker = await connectTestClient(hub.url, { client_id: 'w', reconnect: false });
      await worker.registerService({ id: 'sink', config: { visibility: 'public' }, size: (b: Uint8Array) => b.length });
      const toWorker = receiver === 'an SDK worker';
      const target = toWorker ? 'public/w' : hub.managerId;
      const honest = await connectWirePeer(hub.url, 'honest');
      const attacker = await connectWirePeer(hub.url, 'attacker');

      // The honest call's frame is held back and sent in two chunks, as hypha-rpc does past 256 KiB.
      let frame: Uint8Array | undefined;
      honest.divert = (f) => {
        frame = f;
        return true;
      };
      const call = toWorker
        ? honest.peer.call(target, 'services.sink.size', [new Uint8Array(1024 * 1024)])
        : honest.peer.call(target, 'services.default.echo', ['whole']);
      honest.divert = undefined;
      const outcome = call.catch((error: unknown) => error);
      if (!frame) throw new Error('the call frame was not captured');
      const cut = frame.length >> 1;

      await cache(honest, target, 'create', 'big', false, false);
      await cache(honest, target, 'append', 'big', frame.slice(0, cut), false);
      const flood = await Promise.allSettled(
        Array.from({ length: FLOOD }, (_, i) => cache(attacker, target, 'create', `junk${i}`, false, false)),
      );
      await cache(honest, target, 'append', 'big', frame.slice(cut), false);
      await cache(honest, target, 'process', 'big', false);
      expect(await outcome).toBe(toWorker ? 1024 * 1024 : 'whole');

      const refused = flood.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
      expect(refused).toHaveLength(FLOOD - PER_SENDER);
      expect(refused[0]?.reason).toMatchObject({
        code: 'LIMIT_EXCEEDED',
        message: `too many cached messages from one sender (limit ${PER_SENDER})`,
      });
      // The flood's own messages are still there for it (refused, not evicting, either way).
      await cache(attacker, target, 'remove', 'junk0');
    },
  );
});
