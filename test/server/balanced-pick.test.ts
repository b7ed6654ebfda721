/**
 * The per-call choice of a virtual target (`balanced-pick.ts`) and the table of virtual targets
 * (`virtual-targets.ts`), without sockets: which instances may serve, and the table's bounds.
 */
import { describe, expect, it } from 'vitest';
import { parseServiceQuery } from '@mycel/protocol';
import { roundRobin } from '../../packages/server/src/balancing/round-robin.js';
import { instanceBalancingFrom } from '../../packages/server/src/balancing/instance-config.js';
import { ALL_BUSY, NO_INSTANCE, pickInstance } from '../../packages/server/src/balanced-pick.js';
import { Registry, type ServiceRecord } from '../../packages/server/src/registry.js';
import { VirtualTargets, type VirtualTargetSpec } from '../../packages/server/src/virtual-targets.js';

function register(registry: Registry, clientId: string, config: Record<string, unknown> = {}, workspace = 'ws'): ServiceRecord {
  const id = `${workspace}/${clientId}:svc`;
  return registry.register({
    id,
    workspace,
    clientId,
    serviceId: 'svc',
    appId: '*',
    peerId: `${workspace}/${clientId}`,
    visibility: config.visibility === 'public' ? 'public' : 'protected',
    info: { id, config },
    balancing: instanceBalancingFrom(config),
  }).record;
}

function spec(overrides: Partial<VirtualTargetSpec> = {}): VirtualTargetSpec {
  return {
    owner: 'ws/caller',
    query: 'svc',
    address: parseServiceQuery('svc', 'ws'),
    mode: 'balance:round_robin',
    strategy: roundRobin,
    match: [],
    key: undefined,
    strategyOptions: {},
    ...overrides,
  };
}

function picks(registry: Registry, targets: VirtualTargets, s: VirtualTargetSpec, count: number): string[] {
  const target = targets.obtain(s);
  return Array.from({ length: count }, () => {
    const outcome = pickInstance(target, registry, undefined, 0);
    return typeof outcome === 'string' ? outcome : outcome.clientId;
  });
}

describe('pickInstance', () => {
  it('serves from the lowest priority level present, and follows joins and departures', () => {
    const registry = new Registry();
    const targets = new VirtualTargets(8);
    const a = register(registry, 'a', { priority: 1 });
    register(registry, 'b', { priority: 1 });
    expect(picks(registry, targets, spec(), 4)).toEqual(['a', 'b', 'a', 'b']);
    const primary = register(registry, 'p', { priority: 0 });
    expect(picks(registry, targets, spec(), 2)).toEqual(['p', 'p']);
    registry.unregister(primary.id);
    registry.unregister(a.id);
    expect(picks(registry, targets, spec(), 2)).toEqual(['b', 'b']);
  });

  it('keeps to the instances whose metadata has every value of match', () => {
    const registry = new Registry();
    const targets = new VirtualTargets(8);
    register(registry, 'eu', { metadata: { region: 'eu', tier: 'gpu' } });
    register(registry, 'us', { metadata: { region: 'us', tier: 'gpu' } });
    register(registry, 'bare');
    expect(picks(registry, targets, spec({ match: [['region', 'eu']] }), 3)).toEqual(['eu', 'eu', 'eu']);
    // Round robin's cursor is the group's, shared by every target: the order depends on what came before.
    expect(new Set(picks(registry, targets, spec({ match: [['tier', 'gpu']] }), 2))).toEqual(new Set(['eu', 'us']));
    expect(picks(registry, targets, spec({ match: [['region', 'mars']] }), 1)).toEqual([NO_INSTANCE]);
  });

  it('leaves out instances at max_concurrency, and says busy when all are', () => {
    const registry = new Registry();
    const targets = new VirtualTargets(8);
    const a = register(registry, 'a', { max_concurrency: 1 });
    const b = register(registry, 'b', { max_concurrency: 2 });
    a.state.inFlight = 1;
    expect(picks(registry, targets, spec(), 2)).toEqual(['b', 'b']);
    b.state.inFlight = 2;
    expect(picks(registry, targets, spec(), 1)).toEqual([ALL_BUSY]);
    a.state.inFlight = 0;
    expect(picks(registry, targets, spec(), 1)).toEqual(['a']);
  });

  it('offers only instances the owner may use', () => {
    const registry = new Registry();
    const targets = new VirtualTargets(8);
    register(registry, 'private', {}, 'other');
    register(registry, 'shared', { visibility: 'public' }, 'other');
    const across = spec({ address: parseServiceQuery('other/svc', 'ws'), query: 'other/svc' });
    expect(picks(registry, targets, across, 2)).toEqual(['shared', 'shared']);
  });

  it('finds no instance when the service has none, and finds the next one that registers', () => {
    const registry = new Registry();
    const targets = new VirtualTargets(8);
    const gone = register(registry, 'a');
    expect(picks(registry, targets, spec(), 1)).toEqual(['a']);
    registry.unregister(gone.id);
    expect(picks(registry, targets, spec(), 1)).toEqual([NO_INSTANCE]);
    register(registry, 'b');
    expect(picks(registry, targets, spec(), 1)).toEqual(['b']);
  });
});

describe('VirtualTargets', () => {
  it('gives the same target for the same ask, bounds distinct ones per owner, and frees them with the owner', () => {
    const targets = new VirtualTargets(2);
    const first = targets.obtain(spec());
    expect(first.peerId).toMatch(/^ws\/~balanced-[\w-]{12}$/);
    expect(targets.obtain(spec())).toBe(first);
    expect(targets.obtain(spec({ match: [['a', '1'], ['b', '2']] }))).toBe(targets.obtain(spec({ match: [['b', '2'], ['a', '1']] })));
    expect(() => targets.obtain(spec({ key: 'k' }))).toThrow(/too many balanced services for "ws\/caller" \(limit 2\)/);
    expect(targets.obtain(spec({ owner: 'ws/other' })).peerId).not.toBe(first.peerId);
    expect(targets.get(first.peerId)).toBe(first);
    expect(targets.dropOwner('ws/caller')).toHaveLength(2);
    expect(targets.get(first.peerId)).toBeUndefined();
    expect(targets.size).toBe(1);
  });
});
