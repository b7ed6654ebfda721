/**
 * `balance:` proxies under pressure, end to end: `max_concurrency` with the hub's bounded queue
 * (never exceeded, calls wait, the queue's bound, the wait's bound), heartbeats of long calls,
 * and the rejection of in-flight calls when a worker process dies.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { connectToServer, MycelError, type MycelClient } from '@mycel/client';
import { gate } from '../fixtures/instances.js';
import { hubWithCaller, rejection } from '../helpers/balancing.js';
import type { TestHub } from '../helpers/hub.js';
import { startProcess } from '../helpers/process.js';

interface Held {
  who(): string;
  hold(): Promise<string>;
  slow(ms: number): Promise<string>;
}

const cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  await Promise.all(cleanup.splice(0).map((f) => f()));
});


/** A worker whose `hold()` waits until the test opens its gate; counts what runs at once. */
async function startHeldWorker(hub: TestHub, name: string, config: Record<string, unknown>) {
  const release = gate();
  cleanup.push(async () => release.open());
  let running = 0;
  let peak = 0;
  const worker: MycelClient = await connectToServer({ server_url: hub.url, client_id: name });
  cleanup.push(() => worker.disconnect());
  await worker.registerService({
    id: 'held',
    config: { visibility: 'public', ...config },
    who: () => name,
    hold: async () => {
      running++;
      peak = Math.max(peak, running);
      await release.promise;
      running--;
      return name;
    },
    slow: (ms: number) => new Promise((resolve) => setTimeout(() => resolve(name), ms)),
  });
  return { worker, release, running: () => running, peak: () => peak };
}


describe('max_concurrency', () => {
  it('is never exceeded: further calls wait in the hub and go as slots free up', async () => {
    const { hub, caller } = await hubWithCaller(cleanup);
    const a = await startHeldWorker(hub, 'a', { max_concurrency: 2 });
    const b = await startHeldWorker(hub, 'b', { max_concurrency: 1 });
    const proxy = await caller.getService<Held>('held', { mode: 'balance:round_robin' });
    const calls = Array.from({ length: 7 }, () => proxy.hold());
    await vi.waitFor(() => expect(a.running() + b.running()).toBe(3));
    expect(hub.inFlightTo('public/a')).toBe(2);
    expect(hub.inFlightTo('public/b')).toBe(1);
    a.release.open();
    b.release.open();
    const served = await Promise.all(calls);
    expect(served.filter((who) => who === 'a').length + served.filter((who) => who === 'b').length).toBe(7);
    expect(a.peak()).toBeLessThanOrEqual(2);
    expect(b.peak()).toBeLessThanOrEqual(1);
  });

  it('holds calls to one named instance at its limit too', async () => {
    const { hub, caller } = await hubWithCaller(cleanup);
    const a = await startHeldWorker(hub, 'a', { max_concurrency: 1 });
    const pinned = await caller.getService<Held>('held');
    const calls = [pinned.hold(), pinned.hold(), pinned.hold()];
    await vi.waitFor(() => expect(a.running()).toBe(1));
    expect(hub.inFlightTo('public/a')).toBe(1);
    a.release.open();
    expect(await Promise.all(calls)).toEqual(['a', 'a', 'a']);
    expect(a.peak()).toBe(1);
  });

  it('refuses a call at once with LIMIT_EXCEEDED when its caller already has the most waiting', async () => {
    const { hub, caller } = await hubWithCaller(cleanup, { maxQueuedCallsPerClient: 2 });
    const a = await startHeldWorker(hub, 'a', { max_concurrency: 1 });
    const proxy = await caller.getService<Held>('held', { mode: 'balance:round_robin' });
    const admitted = [proxy.hold(), proxy.hold(), proxy.hold()];
    await vi.waitFor(() => expect(a.running()).toBe(1));
    const error = await rejection(proxy.hold());
    expect(error.code).toBe('LIMIT_EXCEEDED');
    expect(error.message).toMatchInlineSnapshot(`"too many calls from "public/caller" wait for a free instance (limit 2 calls, 16777216 bytes)"`);
    a.release.open();
    expect(await Promise.all(admitted)).toEqual(['a', 'a', 'a']);
  });

  it('fails a waiting call with LIMIT_EXCEEDED before its caller would time out', async () => {
    const { hub, caller } = await hubWithCaller(cleanup, {}, { methodTimeoutMs: 2_000 });
    const a = await startHeldWorker(hub, 'a', { max_concurrency: 1 });
    const proxy = await caller.getService<Held>('held', { mode: 'balance:round_robin' });
    const first = proxy.hold();
    await vi.waitFor(() => expect(a.running()).toBe(1));
    const error = await rejection(proxy.hold());
    expect(error.code).toBe('LIMIT_EXCEEDED');
    expect(error.message).toMatch(/^every instance of service "held" is at its max_concurrency; the call waited \d+ms$/);
    a.release.open();
    expect(await first).toBe('a');
  });

  it('fails waiting calls with SERVICE_NOT_FOUND when the last instance leaves', async () => {
    const { hub, caller } = await hubWithCaller(cleanup);
    const a = await startHeldWorker(hub, 'a', { max_concurrency: 1 });
    const proxy = await caller.getService<Held>('held', { mode: 'balance:round_robin' });
    const first = proxy.hold().catch((e: unknown) => e);
    await vi.waitFor(() => expect(a.running()).toBe(1));
    const waiting = proxy.hold();
    await a.worker.disconnect();
    expect((await rejection(waiting)).code).toBe('SERVICE_NOT_FOUND');
    expect(((await first) as MycelError).code).toBe('CONNECTION_CLOSED');
  });
});

describe('long calls and dying workers', () => {
  it('keeps a long call alive with the instance heartbeats, past the caller timeout', async () => {
    const { hub, caller } = await hubWithCaller(cleanup, {}, { methodTimeoutMs: 600 });
    await startHeldWorker(hub, 'a', {});
    const proxy = await caller.getService<Held>('held', { mode: 'balance:round_robin' });
    // The call runs three caller timeouts; only heartbeats in the balanced peer's name keep it
    // alive (the caller accepts its session's frames only from the peer it called).
    expect(await proxy.slow(1_800)).toBe('a');
  });

  it('rejects the calls in flight to a worker process that dies, and sends the next to one that lives', async () => {
    const { hub, caller } = await hubWithCaller(cleanup);
    const dying = startProcess('test/fixtures/worker-process.ts', [], { MYCEL_SERVER_URL: hub.url, WORKER_ID: 'dying', WORKER_TAG: 'dying' });
    cleanup.push(() => dying.kill());
    await dying.waitForLine(/^ready /);
    const proxy = await caller.getService<{ hang(): Promise<never>; whoami(): Promise<string> }>('victim', { mode: 'balance:round_robin' });
    const hanging = proxy.hang().catch((e: unknown) => e);
    await vi.waitFor(() => expect(hub.inFlightTo('public/dying')).toBe(1));
    const living = startProcess('test/fixtures/worker-process.ts', [], { MYCEL_SERVER_URL: hub.url, WORKER_ID: 'living', WORKER_TAG: 'living' });
    cleanup.push(() => living.kill());
    await living.waitForLine(/^ready /);
    await dying.kill();
    const error = (await hanging) as MycelError;
    expect(error).toBeInstanceOf(MycelError);
    expect(error.code).toBe('CONNECTION_CLOSED');
    await vi.waitFor(() => expect(hub.registry.query('victim', 'public')).toHaveLength(1));
    expect(await proxy.whoami()).toBe('from-living');
  });
});
