import { afterEach, describe, expect, it } from 'vitest';
import { connectToServer, MycelError, type MycelClient } from '@mycel/client';
import { gate, startInstances, startSelectionSetup, tally, type LoadBehaviour, type SelectionSetup } from '../fixtures/instances.js';

interface Task {
  who(): string;
  get_load(): number;
}

const cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  await Promise.all(cleanup.splice(0).map((f) => f()));
});

async function setup(behaviours: readonly LoadBehaviour[]): Promise<SelectionSetup> {
  const started = await startSelectionSetup(behaviours);
  cleanup.push(started.close);
  return started;
}

/** Which instance `getServiceInfo` picks: the client id part of the chosen id (`task-iN`). */
async function pickedBy(caller: MycelClient, mode: string, selectOn: 'hub' | 'client' = 'hub'): Promise<string> {
  if (selectOn === 'client') return (await caller.getService<Task>('task', { mode, selectOn })).who();
  const info = await caller.getServiceInfo('task', { mode });
  return info.id.slice(info.id.indexOf(':') - 2, info.id.indexOf(':'));
}

describe.each(['hub', 'client'] as const)('getService selection (select on %s)', (selectOn) => {
  it('picks the lowest and the highest load', async () => {
    const { caller } = await setup([0.5, 0.2, 0.8]);
    const min = await caller.getService<Task>('task', { mode: 'select:min:get_load', selectOn });
    expect(await min.who()).toBe('i1');
    const max = await caller.getService<Task>('task', { mode: 'select:max:get_load', selectOn });
    expect(await max.who()).toBe('i2');
  });

  it('skips instances that lack the function, throw, or answer a non-number; counts numeric strings', async () => {
    const { caller } = await setup([{ missing: true }, { throws: 'boom' }, { value: 'busy' }, '0.7', 0.9, { value: null }]);
    const chosen = await caller.getService<Task>('task', { mode: 'select:min:get_load', selectOn });
    expect(await chosen.who()).toBe('i3');
  });

  it('probes every instance in parallel and bounds the round by select_timeout', async () => {
    const held = gate();
    cleanup.push(async () => held.open());
    const { caller, instances } = await setup([
      { gate: held.promise, value: 0.1 },
      { gate: held.promise, value: 0.2 },
      0.6,
      0.5,
    ]);
    // Two probes never answer while the selection runs: it must finish on its deadline anyway,
    // choosing among those that did answer, with both held probes already started (in parallel).
    const chosen = await caller.getService<Task>('task', { mode: 'select:min:get_load', select_timeout: 0.3, selectOn });
    expect(instances.probes.get('i0')).toBe(1);
    expect(instances.probes.get('i1')).toBe(1);
    expect(await chosen.who()).toBe('i3');
  });

  it('answers first_success with the first number without waiting for the rest', async () => {
    const held = gate();
    cleanup.push(async () => held.open());
    const { caller } = await setup([{ gate: held.promise, value: 1 }, { throws: 'nope' }, 3, { gate: held.promise, value: 2 }]);
    // The held probes are released only after the selection returned: it cannot have waited for them.
    const chosen = await caller.getService<Task>('task', { mode: 'select:first_success:get_load', select_timeout: 30, selectOn });
    held.open();
    expect(await chosen.who()).toBe('i2');
  });

  it('falls back to a uniform random choice when nobody answers', async () => {
    const { caller } = await setup([{ throws: 'a' }, { missing: true }, { value: 'x' }, { throws: 'd' }]);
    const picks: string[] = [];
    for (let i = 0; i < 400; i++) picks.push(await pickedBy(caller, 'select:min:get_load', selectOn));
    for (const name of ['i0', 'i1', 'i2', 'i3']) {
      const share = (tally(picks).get(name) ?? 0) / picks.length;
      expect(share).toBeGreaterThan(0.15);
      expect(share).toBeLessThan(0.35);
    }
  }, 60_000);

  it('breaks ties between equal best values at random', async () => {
    const { caller } = await setup([0.3, 0.3, 0.9, 0.3, 0.3]);
    const picks: string[] = [];
    for (let i = 0; i < 400; i++) picks.push(await pickedBy(caller, 'select:min:get_load', selectOn));
    const counts = tally(picks);
    expect(counts.get('i2')).toBeUndefined();
    for (const name of ['i0', 'i1', 'i3', 'i4']) {
      const share = (counts.get(name) ?? 0) / picks.length;
      expect(share).toBeGreaterThan(0.15);
      expect(share).toBeLessThan(0.35);
    }
  }, 60_000);

  it('returns a single instance at once, without a probe', async () => {
    const { caller, instances } = await setup([0.4]);
    const chosen = await caller.getService<Task>('task', { mode: 'select:max:get_load', selectOn });
    expect(await chosen.who()).toBe('i0');
    expect(instances.probes.get('i0')).toBe(0);
  });

  it('refuses a malformed mode before any probe, naming the valid forms', async () => {
    const { caller, instances } = await setup([0.1, 0.2]);
    for (const mode of ['select:avg:get_load', 'select:min', 'bogus']) {
      const error = await caller.getService('task', { mode, selectOn }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(MycelError);
      expect((error as MycelError).message).toContain(`invalid mode "${mode}"`);
      expect((error as MycelError).message).toContain('"select:min:FN"');
    }
    expect([...instances.probes.values()]).toEqual([0, 0]);
  });
});

describe('getService modes without probes', () => {
  it('refuses exact with several matches, listing candidates and modes', async () => {
    const { caller } = await setup([0.1, 0.2, 0.3]);
    const error = await caller.getService('task', { mode: 'exact' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MycelError);
    expect((error as MycelError).code).toBe('BAD_MODE');
    expect((error as MycelError).message).toMatchInlineSnapshot(
      `"multiple services found for "task" (3): "public/task-i0:task", "public/task-i1:task", "public/task-i2:task"; choose one with mode "random", "first", "last", "select:min:FN", "select:max:FN" or "select:first_success:FN", or one per call with a "balance:" mode"`,
    );
  });

  it('picks by registration order with first and last', async () => {
    const { caller } = await setup([0.1, 0.2, 0.3]);
    expect(await (await caller.getService<Task>('task', { mode: 'first' })).who()).toBe('i0');
    expect(await (await caller.getService<Task>('task', { mode: 'last' })).who()).toBe('i2');
  });

  it('defaults to random in public and to exact elsewhere', async () => {
    const { hub, caller } = await setup([0.1, 0.2]);
    const picks = new Set<string>();
    for (let i = 0; i < 60 && picks.size < 2; i++) picks.add(await pickedBy(caller, ''));
    expect(picks).toEqual(new Set(['i0', 'i1']));
    const lab = await startInstances(hub.url, [0.1, 0.2], 'task', 'lab');
    cleanup.push(() => lab.disconnect());
    const labCaller = await connectToServer({ server_url: hub.url, workspace: 'lab' });
    cleanup.push(() => labCaller.disconnect());
    await expect(labCaller.getService('task')).rejects.toThrow('multiple services found');
  });

  it('keeps a select: proxy bound to its instance and selects again on request', async () => {
    const { caller, instances } = await setup([0.2, 0.5]);
    const proxy = await caller.getService<Task>('task', { mode: 'select:min:get_load' });
    expect(await proxy.who()).toBe('i0');
    // i0 becomes the busiest: the old proxy still points at it, a new selection moves.
    await instances.clients[0]?.registerService(
      { id: 'task', config: { visibility: 'public' }, who: () => 'i0', get_load: () => 0.9 },
      { overwrite: true },
    );
    expect(await proxy.who()).toBe('i0');
    const moved = await caller.reselect(proxy);
    expect(await moved.who()).toBe('i1');
  });

  it('reports an unknown service clearly', async () => {
    const { caller } = await setup([0.1]);
    await expect(caller.getService('nothing-here', { mode: 'select:min:get_load' })).rejects.toThrow(
      'service "nothing-here" not found',
    );
  });
});

it('selects the same instance whether the hub or the client runs the selection', async () => {
  const { caller } = await setup([0.6, 0.25, 0.9, 0.4]);
  const viaHub = await caller.getService<Task>('task', { mode: 'select:min:get_load', selectOn: 'hub' });
  const viaClient = await caller.getService<Task>('task', { mode: 'select:min:get_load', selectOn: 'client' });
  expect(await viaHub.who()).toBe('i1');
  expect(await viaClient.who()).toBe('i1');
  expect(viaHub.id).toBe(viaClient.id);
});
