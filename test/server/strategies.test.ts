import { describe, expect, it } from 'vitest';
import { MODE_GRAMMAR, MycelError, parseMode, systemClock, type Mode } from '@mycel/protocol';
import { chooseInstance, STRATEGIES, strategyFor } from '../../packages/server/src/balancing/strategies.js';
import type { StrategyContext } from '../../packages/server/src/balancing/strategy.js';
import { Registry, type ServiceRecord } from '../../packages/server/src/registry.js';

function instances(count: number): { registry: Registry; records: ServiceRecord[] } {
  const registry = new Registry();
  const records: ServiceRecord[] = [];
  for (let i = 0; i < count; i++) {
    const id = `ws/c${i}:svc`;
    records.push(
      registry.register({ id, workspace: 'ws', clientId: `c${i}`, serviceId: 'svc', appId: '*', peerId: `ws/c${i}`, visibility: 'protected', info: { id } }).record,
    );
  }
  return { registry, records };
}

function context(registry: Registry, overrides: Partial<StrategyContext> = {}): StrategyContext {
  return {
    query: 'svc',
    group: registry.group('ws', 'svc'),
    clock: systemClock,
    random: () => 0.99,
    timeoutMs: 1_000,
    probe: () => Promise.reject(new Error('no probe expected')),
    onValue: () => {},
    freshValue: () => undefined,
    ...overrides,
  };
}

describe('strategy table', () => {
  it('has a strategy for every mode kind the grammar can produce', () => {
    const kinds = new Set(Object.values(MODE_GRAMMAR).map((build) => build('fn').kind));
    expect(new Set(Object.keys(STRATEGIES))).toEqual(kinds);
    for (const kind of kinds) expect(strategyFor({ kind } as Mode)).toBe(STRATEGIES[kind]);
  });

  it('runs first, last, random and exact through their strategies', async () => {
    const { registry, records } = instances(3);
    const ctx = context(registry);
    expect((await chooseInstance(records, parseMode('first', 'ws'), ctx)).candidate).toBe(records[0]);
    expect((await chooseInstance(records, parseMode('last', 'ws'), ctx)).candidate).toBe(records[2]);
    expect((await chooseInstance(records, parseMode('random', 'ws'), ctx)).candidate).toBe(records[2]);
    expect((await chooseInstance(records, parseMode('random', 'ws'), context(registry, { random: () => 0 }))).candidate).toBe(records[0]);
    expect((await chooseInstance(records.slice(1, 2), parseMode('exact', 'ws'), ctx)).candidate).toBe(records[1]);
    await expect(chooseInstance(records, parseMode('exact', 'ws'), ctx)).rejects.toMatchObject({ code: 'BAD_MODE' });
  });

  it('picks by probe answers in select modes and hands each number on', async () => {
    const { registry, records } = instances(3);
    const loads = new Map(records.map((r, i) => [r, [5, 1, 3][i]]));
    const seen: Array<[string, number | undefined]> = [];
    const ctx = context(registry, {
      probe: (record) => Promise.resolve(loads.get(record)),
      onValue: (record, value) => seen.push([record.id, value]),
    });
    const chosen = await chooseInstance(records, parseMode('select:min:get_load', 'ws'), ctx);
    expect(chosen).toMatchObject({ candidate: records[1], reason: 'best', value: 1 });
    expect(seen.sort()).toEqual([
      ['ws/c0:svc', 5],
      ['ws/c1:svc', 1],
      ['ws/c2:svc', 3],
    ]);
  });

  it('refuses an empty candidate list with SERVICE_NOT_FOUND, for every strategy', async () => {
    const { registry } = instances(0);
    for (const form of Object.keys(MODE_GRAMMAR)) {
      const error = await chooseInstance([], parseMode(form.replace('FN', 'f'), 'ws'), context(registry)).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(MycelError);
      expect((error as MycelError).message).toBe('service "svc" not found');
    }
  });
});
