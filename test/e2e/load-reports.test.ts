/**
 * Load reports: the hub keeps each instance's last answer to a `select:min|max:FN` probe and
 * selects by it while it is fresh (`loadReportMaxAgeMs`), probing only instances without one.
 * The probe counters of real workers show who was asked.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { connectToServer, type MycelClient } from '@mycel/client';
import type { HubOptions } from '@mycel/server';
import { gate, startSelectionSetup, type Instances, type LoadBehaviour } from '../fixtures/instances.js';

const cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  await Promise.all(cleanup.splice(0).map((f) => f()));
});

/** Long enough that no report goes stale during a test on a busy machine. */
const LONG_AGE_MS = 600_000;

async function setup(behaviours: readonly LoadBehaviour[], options: HubOptions = { loadReportMaxAgeMs: LONG_AGE_MS }) {
  const started = await startSelectionSetup(behaviours, options);
  cleanup.push(started.close);
  return { ...started, url: started.hub.url };
}

/** The instance a hub-side selection picks (`iN`). */
async function picked(caller: MycelClient, mode: string, extra: Record<string, unknown> = {}): Promise<string> {
  const info = await caller.getServiceInfo('task', { mode, ...extra });
  return info.id.slice(info.id.indexOf(':') - 2, info.id.indexOf(':'));
}

/** Total probe calls the instances received. */
function probeCount(instances: Instances): number {
  return [...instances.probes.values()].reduce((a, b) => a + b, 0);
}

describe('select:min|max with load reports', () => {
  it('probes no one while every candidate has a fresh report', async () => {
    const { caller, instances } = await setup([0.5, 0.2, 0.8, 0.6]);
    expect(await picked(caller, 'select:min:get_load')).toBe('i1');
    expect([...instances.probes.values()]).toEqual([1, 1, 1, 1]);
    for (let i = 0; i < 20; i++) {
      expect(await picked(caller, 'select:min:get_load')).toBe('i1');
      expect(await picked(caller, 'select:max:get_load')).toBe('i2');
    }
    expect(probeCount(instances)).toBe(4);
    // getService selects the same way; the proxy still reaches its instance.
    const proxy = await caller.getService<{ who(): string }>('task', { mode: 'select:min:get_load' });
    expect(await proxy.who()).toBe('i1');
    expect(probeCount(instances)).toBe(4);
  });

  it('keeps reports per function', async () => {
    const { caller, instances } = await setup([0.5, 0.2]);
    await picked(caller, 'select:min:get_load');
    expect(probeCount(instances)).toBe(2);
    // Selections by `who` (a non-number) neither use nor touch the reports of `get_load`.
    await picked(caller, 'select:min:who');
    await picked(caller, 'select:max:who');
    expect(probeCount(instances)).toBe(2);
    expect(await picked(caller, 'select:min:get_load')).toBe('i1');
    expect(probeCount(instances)).toBe(2);
  });

  it('probes only the candidates without a fresh number: failures and non-numbers count as unknown', async () => {
    const { caller, instances } = await setup([0.5, { value: 'busy' }, { throws: 'down' }, 0.3]);
    expect(await picked(caller, 'select:min:get_load')).toBe('i3');
    for (let i = 0; i < 5; i++) expect(await picked(caller, 'select:min:get_load')).toBe('i3');
    expect(instances.probes.get('i0')).toBe(1);
    expect(instances.probes.get('i3')).toBe(1);
    expect(instances.probes.get('i1')).toBe(6);
    expect(instances.probes.get('i2')).toBe(6);
  });

  it('never reuses a report with loadReportMaxAgeMs 0: every selection probes every candidate', async () => {
    const { caller, instances } = await setup([0.5, 0.2, 0.8], { loadReportMaxAgeMs: 0 });
    for (let i = 0; i < 3; i++) expect(await picked(caller, 'select:min:get_load')).toBe('i1');
    expect([...instances.probes.values()]).toEqual([3, 3, 3]);
  });

  it('counts a stale report as unknown: the instance is probed again and a changed value shows', async () => {
    const busy: { value: unknown } = { value: 0.1 };
    const { caller, instances } = await setup([busy, 0.5], { loadReportMaxAgeMs: 100 });
    expect(await picked(caller, 'select:min:get_load')).toBe('i0');
    // i0 now answers a non-number: once its 0.1 is stale it is unknown (not 0.1, not 0), so i1 wins.
    busy.value = 'n/a';
    await vi.waitFor(async () => expect(await picked(caller, 'select:min:get_load')).toBe('i1'), { timeout: 10_000, interval: 20 });
    expect(instances.probes.get('i0')).toBeGreaterThanOrEqual(2);
    busy.value = 0.05;
    await vi.waitFor(async () => expect(await picked(caller, 'select:min:get_load')).toBe('i0'), { timeout: 10_000, interval: 20 });
  });

  it('keeps the newer report when an older probe answers late', async () => {
    const held = gate();
    cleanup.push(async () => held.open());
    const { caller, url } = await setup([0.5]);
    // i1's first probe is held and then answers 0.9 (old news); later probes answer 0.1 at once.
    let calls = 0;
    const worker = await connectToServer({ server_url: url, client_id: 'task-i1' });
    cleanup.push(() => worker.disconnect());
    await worker.registerService({
      id: 'task',
      config: { visibility: 'public' },
      who: () => 'i1',
      get_load: async () => {
        calls++;
        if (calls > 1) return 0.1;
        await held.promise;
        return 0.9;
      },
    });
    // Round A waits for i1's held probe; meanwhile round B probes i1 again and gets 0.1 first.
    const roundA = picked(caller, 'select:min:get_load', { select_timeout: 20 });
    await vi.waitFor(() => expect(calls).toBe(1));
    expect(await picked(caller, 'select:min:get_load', { select_timeout: 20 })).toBe('i1');
    expect(calls).toBe(2);
    // Round A ends only once the hub has i1's late 0.9, sent before round B's probe.
    held.open();
    expect(await roundA).toBe('i0');
    // The newer 0.1 stands: i1 wins again, unprobed.
    expect(await picked(caller, 'select:min:get_load')).toBe('i1');
    expect(calls).toBe(2);
  });
});
