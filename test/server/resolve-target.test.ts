/**
 * Target resolution: the one place the router asks where a frame goes, and which service
 * instance a call names; and, through a real hub, the instance state it keeps as calls pass.
 */
import { describe, expect, it } from 'vitest';
import { MycelError } from '@mycel/protocol';
import { Registry } from '../../packages/server/src/registry.js';
import { TargetResolver } from '../../packages/server/src/resolve-target.js';
import { connectTestClient } from '../helpers/clients.js';
import { startTestHub } from '../helpers/hub.js';

function setup() {
  const registry = new Registry();
  const worker = { peerId: 'ws/w' };
  const clients = new Map([['ws/w', worker]]);
  const record = registry.register({
    id: 'ws/w:svc',
    workspace: 'ws',
    clientId: 'w',
    serviceId: 'svc',
    appId: '*',
    peerId: 'ws/w',
    visibility: 'protected',
    info: { id: 'ws/w:svc' },
  }).record;
  return { resolver: new TargetResolver(clients, registry), worker, record };
}

describe('TargetResolver', () => {
  it('resolves a peer id to that peer, and nobody to undefined', () => {
    const { resolver, worker } = setup();
    expect(resolver.resolve('ws/w')).toBe(worker);
    expect(resolver.resolve('ws/gone')).toBeUndefined();
  });

  it('finds the instance a services call names, and none for callbacks or unknown services', () => {
    const { resolver, worker, record } = setup();
    expect(resolver.instanceOf(worker, 'services.svc.add')).toBe(record);
    expect(resolver.instanceOf(worker, 'services.svc.nested.fn')).toBe(record);
    expect(resolver.instanceOf(worker, 'services.other.add')).toBeUndefined();
    expect(resolver.instanceOf(worker, 'services.svc')).toBeUndefined();
    expect(resolver.instanceOf(worker, 'abc123.cb#x')).toBeUndefined();
    expect(resolver.instanceOf(worker, undefined)).toBeUndefined();
  });
});

describe('instance state through the hub', () => {
  it('counts the calls routed to an instance, its errors and its latency, as answers pass', async () => {
    await using hub = await startTestHub();
    const worker = await connectTestClient(hub.url, { client_id: 'w' });
    await worker.registerService({
      id: 'svc',
      ok: (x: number) => x + 1,
      fail: () => {
        throw new MycelError('REMOTE_ERROR', 'no');
      },
    });
    const caller = await connectTestClient(hub.url, { client_id: 'c' });
    const svc = await caller.getService<{ ok(x: number): Promise<number>; fail(): Promise<void> }>('w:svc');
    expect(await svc.ok(1)).toBe(2);
    expect(await svc.ok(2)).toBe(3);
    await expect(svc.fail()).rejects.toThrow('no');
    const state = hub.registry.get('public/w:svc')?.state;
    expect(state).toMatchObject({ inFlight: 0, routed: 3, errors: 1 });
    expect(state?.latencyMs).toBeGreaterThanOrEqual(0);
  });
});
