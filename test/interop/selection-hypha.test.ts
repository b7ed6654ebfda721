import { afterEach, describe, expect, it } from 'vitest';
import { gate, startInstances, tally, type LoadBehaviour } from '../fixtures/instances.js';
import { connectHypha, type HyphaApi } from '../helpers/hypha.js';
import { startTestHub } from '../helpers/hub.js';

const cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  await Promise.all(cleanup.splice(0).map((f) => f()));
});

async function setup(behaviours: readonly LoadBehaviour[]) {
  const hub = await startTestHub();
  const instances = await startInstances(hub.url, behaviours);
  const caller = await connectHypha(hub.url);
  cleanup.push(async () => {
    await caller.disconnect();
    await instances.disconnect();
    await hub.close();
  });
  return { hub, caller, instances };
}

async function who(caller: HyphaApi, config: Record<string, unknown>): Promise<string> {
  const svc = await caller.getService('task', config);
  return (await svc.who?.()) as string;
}

describe('selection for hypha-rpc callers', () => {
  it('picks min and max by the probe function', async () => {
    const { caller } = await setup([0.5, 0.2, 0.8]);
    expect(await who(caller, { mode: 'select:min:get_load' })).toBe('i1');
    expect(await who(caller, { mode: 'select:max:get_load' })).toBe('i2');
  });

  it('honours select_timeout in getService and getServiceInfo', async () => {
    const held = gate();
    cleanup.push(async () => held.open());
    const { caller, instances } = await setup([{ gate: held.promise, value: 0.01 }, 0.5, 0.4]);
    // Hypha ignores select_timeout in get_service; Mycel bounds the whole round by it.
    expect(await who(caller, { mode: 'select:min:get_load', select_timeout: 0.2 })).toBe('i2');
    const info = await caller.getServiceInfo('task', { mode: 'select:min:get_load', select_timeout: 0.2 });
    expect(info.id).toBe('public/task-i2:task');
    expect(instances.probes.get('i0')).toBe(2);
  });

  it('skips failures and non-numbers, and answers first_success early', async () => {
    const held = gate();
    cleanup.push(async () => held.open());
    const { caller } = await setup([{ throws: 'x' }, { value: 'n/a' }, { gate: held.promise, value: 0 }, '5']);
    expect(await who(caller, { mode: 'select:min:get_load', select_timeout: 0.2 })).toBe('i3');
    expect(await who(caller, { mode: 'select:first_success:get_load', select_timeout: 30 })).toBe('i3');
  });

  it('falls back to uniform random when nobody answers', async () => {
    const { caller } = await setup([{ throws: 'a' }, { missing: true }, { throws: 'c' }, { value: {} }]);
    const picks: string[] = [];
    for (let i = 0; i < 400; i++) {
      const info = await caller.getServiceInfo('task', { mode: 'select:max:get_load' });
      picks.push(String(info.id));
    }
    const counts = tally(picks);
    expect(counts.size).toBe(4);
    for (const count of counts.values()) {
      expect(count / picks.length).toBeGreaterThan(0.15);
      expect(count / picks.length).toBeLessThan(0.35);
    }
  }, 60_000);

  it('breaks ties between equal best values at random', async () => {
    const { caller } = await setup([0.4, 0.1, 0.1, 0.1, 0.1]);
    const picks: string[] = [];
    for (let i = 0; i < 400; i++) {
      picks.push(String((await caller.getServiceInfo('task', { mode: 'select:min:get_load' })).id));
    }
    const counts = tally(picks);
    expect(counts.has('public/task-i0:task')).toBe(false);
    expect(counts.size).toBe(4);
    for (const count of counts.values()) {
      expect(count / picks.length).toBeGreaterThan(0.15);
      expect(count / picks.length).toBeLessThan(0.35);
    }
  }, 60_000);

  it('refuses malformed modes and ambiguous exact queries with clear errors', async () => {
    const { caller, instances } = await setup([0.1, 0.2]);
    await expect(caller.getService('task', { mode: 'select:avg:get_load' })).rejects.toThrow(
      /invalid mode "select:avg:get_load": expected one of .*"select:min:FN"/,
    );
    await expect(caller.getService('task', { mode: 'exact' })).rejects.toThrow(/multiple services found for "task" \(2\)/);
    expect([...instances.probes.values()]).toEqual([0, 0]);
  });
});
