/**
 * Draining, end to end: a worker that drains gets no new calls (balanced picks and selections
 * skip it, a call to its own address is refused with `DRAINING`), its calls in flight finish,
 * then its services leave and the drain answers; the timeout bounds the wait; status and metrics
 * show it; a hypha-rpc worker drains through the manager's `drain`.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { connectToServer, type DrainResult, type MycelClient } from '@mycel/client';
import { gate } from '../fixtures/instances.js';
import { hubWithCaller, rejection } from '../helpers/balancing.js';
import { connectHypha } from '../helpers/hypha.js';
import type { TestHub } from '../helpers/hub.js';

interface Held {
  who(): string;
  hold(): Promise<string>;
}

const cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  await Promise.all(cleanup.splice(0).map((f) => f()));
});

/** A worker whose `hold()` waits until the test opens its gate. */
async function startHeldWorker(hub: TestHub, name: string) {
  const release = gate();
  cleanup.push(async () => release.open());
  let running = 0;
  const worker: MycelClient = await connectToServer({ server_url: hub.url, client_id: name });
  cleanup.push(() => worker.disconnect());
  await worker.registerService({
    id: 'held',
    config: { visibility: 'public' },
    who: () => name,
    hold: async () => {
      running++;
      await release.promise;
      running--;
      return name;
    },
  });
  return { worker, release, running: () => running };
}

async function instanceState(hub: TestHub, id: string): Promise<string | undefined> {
  const status = (await (await fetch(`${hub.url}/public/status`)).json()) as {
    services: Array<{ instances: Array<{ id: string; state: string }> }>;
  };
  return status.services.flatMap((s) => s.instances).find((i) => i.id === id)?.state;
}

async function drainsMetric(hub: TestHub, outcome: string): Promise<number> {
  const text = await (await fetch(`${hub.url}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`mycel_drains_total{outcome="${outcome}"}`));
  return line === undefined ? 0 : Number(line.split(' ').pop());
}

/** A promise's settled value, read without waiting: undefined while it is pending. */
function track<T>(promise: Promise<T>): { value: () => T | undefined } {
  let value: T | undefined;
  void promise.then((v) => {
    value = v;
  });
  return { value: () => value };
}

describe('draining', () => {
  it('sends a draining worker no new calls, lets its calls in flight finish, then its services leave', async () => {
    const { hub, caller } = await hubWithCaller(cleanup);
    const a = await startHeldWorker(hub, 'a');
    await startHeldWorker(hub, 'b');
    const balanced = await caller.getService<Held>('held', { mode: 'balance:least_inflight' });
    const pinnedToA = await caller.getService<Held>('a:held');
    const running = pinnedToA.hold();
    await vi.waitFor(() => expect(a.running()).toBe(1));

    const drain = track(a.worker.drain({ timeout: 30 }));
    await vi.waitFor(async () => expect(await instanceState(hub, 'public/a:held')).toBe('draining'));
    expect(await instanceState(hub, 'public/b:held')).toBe('up');

    // Balanced calls: every one to b (a has one call in flight, but least_inflight alone would
    // still send it about half of 20 calls made one after another).
    const answers: string[] = [];
    for (let i = 0; i < 20; i++) answers.push(await balanced.who());
    expect(new Set(answers)).toEqual(new Set(['b']));
    // Selections skip it: `first` would pick a (registered first).
    expect(await (await caller.getService<Held>('held', { mode: 'first' })).who()).toBe('b');
    // A call to its own address is refused at once, and did not run.
    const refused = await rejection(pinnedToA.who());
    expect(refused.code).toBe('DRAINING');
    expect(refused.message).toBe(
      'service instance "public/a:held" is draining: it takes no new calls (get the service again, or use a balance: mode)',
    );
    const notFound = await rejection(caller.getService('a:held'));
    expect(notFound.code).toBe('SERVICE_NOT_FOUND');
    expect(notFound.message).toBe('every instance of service "a:held" is draining (1): none takes new calls');
    // It may register nothing while it drains.
    const registration = await rejection(a.worker.registerService({ id: 'late', config: { visibility: 'public' }, f: () => 1 }));
    expect(registration.code).toBe('DRAINING');

    // The drain waits for the call in flight.
    expect(drain.value()).toBeUndefined();
    expect((await caller.listServices()).map((s) => s.id)).toContain('public/a:held');
    a.release.open();
    expect(await running).toBe('a');
    await vi.waitFor(() => expect(drain.value()).toBeDefined());
    const result = drain.value() as DrainResult;
    expect(result).toMatchObject({ outcome: 'completed', services: ['public/a:held'], in_flight_left: 0 });
    expect((await caller.listServices()).map((s) => s.id)).not.toContain('public/a:held');
    expect(await drainsMetric(hub, 'completed')).toBe(1);
    // The worker stays connected, and does not register its services again.
    expect(a.worker.isConnected).toBe(true);
    expect(await balanced.who()).toBe('b');
  });

  it('stops waiting at its timeout: the services leave while a call still runs, whose answer still arrives', async () => {
    const { hub, caller } = await hubWithCaller(cleanup);
    const a = await startHeldWorker(hub, 'a');
    const proxy = await caller.getService<Held>('held', { mode: 'balance:round_robin' });
    const running = proxy.hold();
    await vi.waitFor(() => expect(a.running()).toBe(1));
    const result = await a.worker.drain({ timeout: 0.2 });
    expect(result).toMatchObject({ outcome: 'timed_out', services: ['public/a:held'], in_flight_left: 1 });
    expect(result.waited_ms).toBeGreaterThanOrEqual(150);
    expect(await drainsMetric(hub, 'timed_out')).toBe(1);
    // No instance is left for new calls.
    expect((await rejection(proxy.who())).code).toBe('SERVICE_NOT_FOUND');
    a.release.open();
    expect(await running).toBe('a');
  });

  it('answers at once when nothing is in flight, and joins a drain already under way', async () => {
    const { hub } = await hubWithCaller(cleanup);
    const a = await startHeldWorker(hub, 'a');
    const [first, second] = await Promise.all([a.worker.drain(), a.worker.drain({ timeout: 1 })]);
    expect(first).toMatchObject({ outcome: 'completed', services: ['public/a:held'], in_flight_left: 0 });
    expect(second).toEqual(first);
  });

  it('lets a hypha-rpc worker drain through the manager function "drain"', async () => {
    const { hub, caller } = await hubWithCaller(cleanup);
    const release = gate();
    cleanup.push(async () => release.open());
    let running = 0;
    const hypha = await connectHypha(hub.url, { client_id: 'h' });
    cleanup.push(() => hypha.disconnect());
    await hypha.registerService({
      id: 'held',
      config: { visibility: 'public' },
      who: () => 'h',
      hold: async () => {
        running++;
        await release.promise;
        return 'h';
      },
    });
    const proxy = await caller.getService<Held>('held', { mode: 'balance:least_inflight' });
    const inFlight = proxy.hold();
    await vi.waitFor(() => expect(running).toBe(1));
    await startHeldWorker(hub, 'b');

    const drain = track((hypha.drain as (timeout: number) => Promise<DrainResult>)(30));
    await vi.waitFor(async () => expect(await instanceState(hub, 'public/h:held')).toBe('draining'));
    for (let i = 0; i < 10; i++) expect(await proxy.who()).toBe('b');
    expect(drain.value()).toBeUndefined();
    release.open();
    expect(await inFlight).toBe('h');
    await vi.waitFor(() => expect(drain.value()).toMatchObject({ outcome: 'completed', services: ['public/h:held'], in_flight_left: 0 }));
    expect((await caller.listServices()).map((s) => s.id)).not.toContain('public/h:held');
  });
});
