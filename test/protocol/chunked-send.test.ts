import { describe, expect, it } from 'vitest';
import { CHUNK_SIZE_BYTES, CHUNK_THRESHOLD_BYTES, decodeFrame, MAX_CHUNKS_IN_FLIGHT, type MycelError } from '@mycel/protocol';
import { connectedPair } from '../helpers/memory-transport.js';

const failure = (promise: Promise<unknown>) =>
  promise.then(
    (value) => {
      throw new Error(`expected a rejection, got ${typeof value}`);
    },
    (error: unknown) => error as MycelError,
  );

/** `size` bytes of a pattern that a misplaced chunk would break. */
function payload(size: number): Uint8Array {
  const bytes = new Uint8Array(size);
  for (let i = 0; i < size; i++) bytes[i] = (i * 31 + (i >> 10)) & 0xff;
  return bytes;
}

/** Methods of the frames routed, in order. */
const methods = (log: { header: Record<string, unknown> }[]) => log.map((f) => String(f.header.method));

describe('RpcPeer large messages', () => {
  it('sends an argument over 256 KiB in chunks, none of them over the threshold', async () => {
    const { router, caller, worker } = connectedPair();
    worker.addService({ id: 'bytes', length: (data: Uint8Array) => data.length, sum: (data: Uint8Array) => data.reduce((a, b) => a + b, 0) });
    const data = payload(600 * 1024);
    expect(await caller.call('ws/worker', 'services.bytes.sum', [data])).toBe(data.reduce((a, b) => a + b, 0));
    expect(Math.max(...router.log.map((f) => f.bytes.length))).toBeLessThanOrEqual(CHUNK_THRESHOLD_BYTES);
    const sent = methods(router.log.filter((f) => f.from === 'ws/caller'));
    expect(sent.filter((m) => m === 'services.built-in.message_cache.set')).toHaveLength(3);
    expect(sent[0]).toBe('services.built-in.message_cache.create');
    expect(sent).toContain('services.built-in.message_cache.process');
    expect(sent).not.toContain('services.bytes.sum');
  });

  it('returns a result over 256 KiB in chunks keyed by the caller session, with heartbeat', async () => {
    const { router, caller, worker } = connectedPair();
    const data = payload(CHUNK_SIZE_BYTES * 2 + 17);
    worker.addService({ id: 'bytes', make: () => data });
    const back = (await caller.call('ws/worker', 'services.bytes.make')) as Uint8Array;
    expect(Buffer.from(back).equals(Buffer.from(data))).toBe(true);
    const session = router.log[0]?.header.session;
    const create = router.log.find((f) => f.header.method === 'services.built-in.message_cache.create' && f.from === 'ws/worker');
    const { extra } = decodeFrame(create?.bytes ?? new Uint8Array());
    expect((extra as { args: unknown[] }).args).toEqual([session, true]);
  });

  it('keeps at most MAX_CHUNKS_IN_FLIGHT chunks unacknowledged', async () => {
    const { router, caller, worker } = connectedPair();
    worker.addService({ id: 'bytes', length: (data: Uint8Array) => data.length });
    let inFlight = 0;
    let most = 0;
    const sessions = new Set<unknown>();
    router.intercept = (frame) => {
      if (frame.header.method === 'services.built-in.message_cache.set') {
        sessions.add(frame.header.session);
        inFlight++;
        most = Math.max(most, inFlight);
      } else if (sessions.has(String(frame.header.method).split('.')[0])) {
        inFlight--;
      }
      return false;
    };
    const size = CHUNK_SIZE_BYTES * (MAX_CHUNKS_IN_FLIGHT + 10);
    expect(await caller.call('ws/worker', 'services.bytes.length', [new Uint8Array(size)])).toBe(size);
    expect(most).toBe(MAX_CHUNKS_IN_FLIGHT);
  });

  it('fails a call over the message limit with its size and the limit, and keeps working', async () => {
    const { router, caller, worker } = connectedPair({ maxMessageBytes: 1024 * 1024 });
    worker.addService({ id: 'bytes', length: (data: Uint8Array) => data.length });
    const error = await failure(caller.call('ws/worker', 'services.bytes.length', [new Uint8Array(2 * 1024 * 1024)]));
    expect(error.code).toBe('LIMIT_EXCEEDED');
    expect(error.message).toMatch(/^call "services\.bytes\.length" of 209\d{4} bytes is larger than the limit of 1048576 bytes$/);
    expect(router.log).toHaveLength(0);
    expect(caller.pendingCount).toBe(0);
    expect(await caller.call('ws/worker', 'services.bytes.length', [new Uint8Array(10)])).toBe(10);
  });

  it('rejects the caller when a result is over the callee limit, naming the size and the limit', async () => {
    const { caller, worker } = connectedPair({}, { maxMessageBytes: 512 * 1024 });
    worker.addService({ id: 'bytes', make: (size: number) => new Uint8Array(size) });
    const error = await failure(caller.call('ws/worker', 'services.bytes.make', [600 * 1024]));
    expect(error.message).toMatch(/^result of 6144\d\d bytes is larger than the limit of 524288 bytes$/);
    expect([...((await caller.call('ws/worker', 'services.bytes.make', [3])) as Uint8Array)]).toEqual([0, 0, 0]);
  });

  it('fails the call, not the peer, when the receiver has no message cache', async () => {
    const { caller, worker } = connectedPair();
    worker.addService({ id: 'bytes', length: (data: Uint8Array) => data.length });
    worker.removeService('built-in');
    const error = await failure(caller.call('ws/worker', 'services.bytes.length', [new Uint8Array(CHUNK_SIZE_BYTES * 2)]));
    expect(error.message).toBe('method "services.built-in.message_cache.create" not found at "ws/worker"');
    expect(caller.pendingCount).toBe(0);
    expect(await caller.call('ws/worker', 'services.bytes.length', [new Uint8Array(3)])).toBe(3);
  });
});

describe('RpcPeer promise form', () => {
  it('pairs promise "*" with t (half the timeout, in seconds)', async () => {
    const { router, caller, worker } = connectedPair();
    worker.addService({ id: 'math', one: () => 1 });
    await caller.call('ws/worker', 'services.math.one', [], { timeoutMs: 8_000 });
    const { extra } = decodeFrame(router.log[0]?.bytes ?? new Uint8Array());
    expect(extra).toMatchObject({ promise: '*', t: 4 });
  });

  it('sends t also for a call without heartbeats, and ignores the heartbeats that come', async () => {
    const { router, caller, worker } = connectedPair();
    worker.addService({ id: 'math', one: () => 1 });
    expect(await caller.call('ws/worker', 'services.math.one', [], { heartbeats: false, timeoutMs: 2_000 })).toBe(1);
    const { extra } = decodeFrame(router.log[0]?.bytes ?? new Uint8Array());
    expect(extra).toMatchObject({ promise: '*', t: 1 });
  });
});
