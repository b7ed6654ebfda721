import { describe, expect, it } from 'vitest';
import { createCallWindow } from '../../packages/server/src/metrics/call-window.js';
import { Registry, type NewServiceRecord as NewRecord, type ServiceRecord } from '../../packages/server/src/registry.js';

function record(
  workspace: string,
  clientId: string,
  serviceId: string,
  extra: { appId?: string; type?: string; visibility?: ServiceRecord['visibility'] } = {},
): NewRecord {
  const id = `${workspace}/${clientId}:${serviceId}`;
  return {
    id,
    workspace,
    clientId,
    serviceId,
    appId: extra.appId ?? '*',
    peerId: `${workspace}/${clientId}`,
    visibility: extra.visibility ?? 'protected',
    info: { id, name: serviceId, type: extra.type ?? 'generic' },
  };
}

const ids = (records: ServiceRecord[]) => records.map((r) => r.id);

describe('Registry', () => {
  it('registers a service and finds it by full id', () => {
    const registry = new Registry();
    const { record: stored, replaced } = registry.register(record('ws', 'a', 'math'));
    expect(replaced).toBeUndefined();
    expect(registry.size).toBe(1);
    expect(registry.get('ws/a:math')).toBe(stored);
    expect(stored.state).toEqual({
      inFlight: 0,
      routed: 0,
      errors: 0,
      latencyMs: undefined,
      peakLatencyMs: undefined,
      peakLatencyAt: 0,
      metrics: {},
      health: 'unknown',
      draining: false,
      calls: createCallWindow(),
    });
    expect(registry.get('ws/a:other')).toBeUndefined();
  });

  it('gives each registration an increasing sequence number', () => {
    const registry = new Registry();
    const a = registry.register(record('ws', 'a', 'x')).record;
    const b = registry.register(record('ws', 'b', 'x')).record;
    expect(b.seq).toBeGreaterThan(a.seq);
  });

  it('replaces a service with the same full id and reports the old record', () => {
    const registry = new Registry();
    const first = registry.register(record('ws', 'a', 'math')).record;
    registry.register(record('ws', 'b', 'math'));
    const again = registry.register({ ...record('ws', 'a', 'math'), info: { id: 'ws/a:math', version: 2 } });
    expect(again.replaced).toBe(first);
    expect(registry.size).toBe(2);
    expect(registry.get('ws/a:math')?.info).toEqual({ id: 'ws/a:math', version: 2 });
    // A replacement counts as a new registration: it is now the newest instance.
    expect(ids(registry.find({ workspace: 'ws', clientId: '*', serviceId: 'math', appId: undefined }))).toEqual([
      'ws/b:math',
      'ws/a:math',
    ]);
    expect(registry.countForPeer('ws/a')).toBe(1);
  });

  it('finds the instances of a service name, oldest first, across clients', () => {
    const registry = new Registry();
    registry.register(record('ws', 'c', 'svc'));
    registry.register(record('ws', 'a', 'svc'));
    registry.register(record('ws', 'b', 'svc'));
    registry.register(record('ws', 'a', 'unrelated'));
    registry.register(record('other', 'a', 'svc'));
    expect(ids(registry.find({ workspace: 'ws', clientId: '*', serviceId: 'svc', appId: undefined }))).toEqual([
      'ws/c:svc',
      'ws/a:svc',
      'ws/b:svc',
    ]);
    expect(ids(registry.find({ workspace: 'ws', clientId: 'a', serviceId: 'svc', appId: undefined }))).toEqual([
      'ws/a:svc',
    ]);
    expect(registry.find({ workspace: 'ws', clientId: '*', serviceId: 'missing', appId: undefined })).toEqual([]);
    expect(registry.find({ workspace: 'nowhere', clientId: '*', serviceId: 'svc', appId: undefined })).toEqual([]);
  });

  it('filters found instances by app id unless the query says "*"', () => {
    const registry = new Registry();
    registry.register(record('ws', 'a', 'svc', { appId: 'app1' }));
    registry.register(record('ws', 'b', 'svc', { appId: 'app2' }));
    const find = (appId: string | undefined) =>
      ids(registry.find({ workspace: 'ws', clientId: '*', serviceId: 'svc', appId }));
    expect(find('app1')).toEqual(['ws/a:svc']);
    expect(find('app2')).toEqual(['ws/b:svc']);
    expect(find('app3')).toEqual([]);
    expect(find('*')).toEqual(['ws/a:svc', 'ws/b:svc']);
    expect(find(undefined)).toEqual(['ws/a:svc', 'ws/b:svc']);
  });

  it('parses a query string relative to a workspace', () => {
    const registry = new Registry();
    registry.register(record('ws', 'a', 'svc'));
    registry.register(record('ws', 'b', 'svc'));
    registry.register(record('other', 'a', 'svc'));
    expect(ids(registry.query('svc', 'ws'))).toEqual(['ws/a:svc', 'ws/b:svc']);
    expect(ids(registry.query('b:svc', 'ws'))).toEqual(['ws/b:svc']);
    expect(ids(registry.query('other/svc', 'ws'))).toEqual(['other/a:svc']);
    expect(ids(registry.query('other/a:svc', 'ws'))).toEqual(['other/a:svc']);
    expect(() => registry.query('a:b:c', 'ws')).toThrow(/invalid service id "a:b:c"/);
  });

  it('unregisters a service from every index', () => {
    const registry = new Registry();
    registry.register(record('ws', 'a', 'svc'));
    registry.register(record('ws', 'a', 'keep'));
    expect(registry.unregister('ws/a:svc')?.id).toBe('ws/a:svc');
    expect(registry.unregister('ws/a:svc')).toBeUndefined();
    expect(registry.get('ws/a:svc')).toBeUndefined();
    expect(registry.query('svc', 'ws')).toEqual([]);
    expect(ids(registry.forPeer('ws/a'))).toEqual(['ws/a:keep']);
    expect(registry.countForPeer('ws/a')).toBe(1);
    expect(registry.size).toBe(1);
  });

  it('removes every service of a peer and returns them oldest first', () => {
    const registry = new Registry();
    registry.register(record('ws', 'a', 'built-in'));
    registry.register(record('ws', 'b', 'svc'));
    registry.register(record('ws', 'a', 'svc'));
    registry.register(record('ws', 'a', 'other'));
    expect(ids(registry.removePeer('ws/a'))).toEqual(['ws/a:built-in', 'ws/a:svc', 'ws/a:other']);
    expect(registry.countForPeer('ws/a')).toBe(0);
    expect(registry.forPeer('ws/a')).toEqual([]);
    expect(ids(registry.query('svc', 'ws'))).toEqual(['ws/b:svc']);
    expect(registry.size).toBe(1);
    expect(registry.removePeer('ws/a')).toEqual([]);
    expect(registry.removePeer('ws/nobody')).toEqual([]);
  });

  it('lists services matching every given filter field, oldest first', () => {
    const registry = new Registry();
    registry.register(record('ws', 'a', 'one', { type: 'math', visibility: 'public' }));
    registry.register(record('ws', 'b', 'two', { type: 'text', appId: 'app' }));
    registry.register(record('ws', 'a', 'three', { visibility: 'unlisted' }));
    registry.register(record('other', 'a', 'one', { type: 'math' }));

    expect(ids(registry.list())).toEqual(['ws/a:one', 'ws/b:two', 'ws/a:three', 'other/a:one']);
    expect(ids(registry.list({ workspace: 'ws' }))).toEqual(['ws/a:one', 'ws/b:two', 'ws/a:three']);
    expect(ids(registry.list({ workspace: '*', serviceId: 'one' }))).toEqual(['ws/a:one', 'other/a:one']);
    expect(ids(registry.list({ workspace: 'ws', clientId: 'a' }))).toEqual(['ws/a:one', 'ws/a:three']);
    expect(ids(registry.list({ type: 'math' }))).toEqual(['ws/a:one', 'other/a:one']);
    expect(ids(registry.list({ type: 'generic' }))).toEqual(['ws/a:three']);
    expect(ids(registry.list({ visibility: 'public' }))).toEqual(['ws/a:one']);
    expect(ids(registry.list({ appId: 'app' }))).toEqual(['ws/b:two']);
    expect(ids(registry.list({ workspace: 'ws', clientId: 'b', type: 'math' }))).toEqual([]);
  });

  it('holds no reference to anything but plain data', () => {
    const registry = new Registry();
    const { record: stored } = registry.register(record('ws', 'a', 'svc'));
    expect(JSON.parse(JSON.stringify(stored))).toEqual(stored);
  });
});

describe('Registry groups', () => {
  it('groups the instances of a service name per workspace, oldest first, and drops an empty group', () => {
    const registry = new Registry();
    const a = registry.register(record('ws', 'a', 'svc')).record;
    const b = registry.register(record('ws', 'b', 'svc')).record;
    registry.register(record('other', 'a', 'svc'));
    const group = registry.group('ws', 'svc');
    expect(group?.instances).toEqual([a, b]);
    expect(registry.group('other', 'svc')?.instances.map((r) => r.id)).toEqual(['other/a:svc']);
    registry.unregister(a.id);
    expect(registry.group('ws', 'svc')?.instances).toEqual([b]);
    registry.removePeer('ws/b');
    expect(registry.group('ws', 'svc')).toBeUndefined();
  });

  it('counts membership changes in the group version and keeps strategy state while the group lives', () => {
    const registry = new Registry();
    registry.register(record('ws', 'a', 'svc'));
    const group = registry.group('ws', 'svc');
    const v1 = group?.version ?? 0;
    group?.strategyState.set('round_robin', { cursor: 3 });
    registry.register(record('ws', 'b', 'svc'));
    expect(registry.group('ws', 'svc')).toBe(group);
    expect(group?.version).toBeGreaterThan(v1);
    const v2 = group?.version ?? 0;
    registry.unregister('ws/a:svc');
    expect(group?.version).toBeGreaterThan(v2);
    expect(group?.strategyState.get('round_robin')).toEqual({ cursor: 3 });
  });

  it('moves the group version when an instance starts draining (touch), and not for a record that left', () => {
    const registry = new Registry();
    const a = registry.register(record('ws', 'a', 'svc')).record;
    const group = registry.group('ws', 'svc');
    const v1 = group?.version ?? 0;
    registry.touch(a);
    expect(group?.version).toBe(v1 + 1);
    const b = registry.register(record('ws', 'b', 'svc')).record;
    registry.unregister(a.id);
    const v2 = group?.version ?? 0;
    registry.touch(a);
    expect(group?.version).toBe(v2);
    registry.touch(b);
    expect(group?.version).toBe(v2 + 1);
  });

  it('moves a re-registered instance to the end of its group with fresh state', () => {
    const registry = new Registry();
    const first = registry.register(record('ws', 'a', 'svc')).record;
    registry.register(record('ws', 'b', 'svc'));
    first.state.routed = 5;
    const again = registry.register(record('ws', 'a', 'svc')).record;
    expect(registry.group('ws', 'svc')?.instances.map((r) => r.id)).toEqual(['ws/b:svc', 'ws/a:svc']);
    expect(again.state.routed).toBe(0);
  });

  it('finds the instance a peer provides by service id', () => {
    const registry = new Registry();
    const stored = registry.register(record('ws', 'a', 'svc')).record;
    expect(registry.instance('ws/a', 'svc')).toBe(stored);
    expect(registry.instance('ws/a', 'other')).toBeUndefined();
    expect(registry.instance('ws/b', 'svc')).toBeUndefined();
    registry.unregister(stored.id);
    expect(registry.instance('ws/a', 'svc')).toBeUndefined();
  });
});
