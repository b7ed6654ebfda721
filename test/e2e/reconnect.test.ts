import { afterEach, describe, expect, it, vi } from 'vitest';
import { type MycelClient } from '@mycel/client';
import { connectHypha } from '../helpers/hypha.js';
import { connectTestClient } from '../helpers/clients.js';
import { startTestHub } from '../helpers/hub.js';
import { startProcess } from '../helpers/process.js';

const cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  await Promise.all(cleanup.splice(0).map((f) => f()));
});

const connect = connectTestClient;

describe('@mycel/client reconnection', () => {
  it('comes back under the same id, re-registers its services and re-subscribes its events', async () => {
    await using hub = await startTestHub();
    const worker = await connect(hub.url, { client_id: 'phoenix' });
    await worker.registerService({ id: 'svc', config: { visibility: 'public' }, hello: () => 'still here' });
    const added: string[] = [];
    worker.on('service_added', (e) => added.push(String((e.data as { id: string }).id)));
    await worker.subscribe('service_added');
    const lifecycle: string[] = [];
    for (const type of ['disconnected', 'reconnecting', 'reconnected', 'services_registered']) {
      worker.on(type, () => lifecycle.push(type));
    }

    hub.clients.get('public/phoenix')?.socket.terminate();
    await vi.waitFor(() => expect(lifecycle).toContain('reconnected'));
    expect(lifecycle.slice(0, 2)).toEqual(['disconnected', 'reconnecting']);
    expect(lifecycle).toContain('services_registered');
    expect(worker.config.client_id).toBe('phoenix');
    expect(hub.registry.list({ serviceId: 'svc' }).map((r) => r.id)).toEqual(['public/phoenix:svc']);

    const caller = await connect(hub.url);
    expect(await (await caller.getService<{ hello(): string }>('svc')).hello()).toBe('still here');
    await caller.registerService({ id: 'newcomer', f: () => 1 });
    await vi.waitFor(() => expect(added).toContain(`${caller.peerId}:newcomer`));
  });

  it('rejects calls that were waiting when the connection dropped, at once', async () => {
    await using hub = await startTestHub();
    const worker = await connect(hub.url, { client_id: 'w' });
    await worker.registerService({ id: 'never', config: { visibility: 'public' }, wait: () => new Promise(() => {}) });
    const caller = await connect(hub.url, { client_id: 'c', methodTimeoutMs: 60_000 });
    const never = await caller.getService<{ wait(): void }>('never');
    const pending = never.wait().catch((e: unknown) => e);
    await vi.waitFor(() => expect(hub.inFlightTo('public/w')).toBe(1));
    hub.clients.get('public/c')?.socket.terminate();
    expect(String(await pending)).toContain('connection to the hub closed');
  });

  it('works again within 2 s of a restarted hub being back, with no duplicate registrations', async () => {
    const first = await startTestHub();
    const port = first.port;
    const worker = await connect(first.url, { client_id: 'survivor' });
    await worker.registerService({ id: 'svc', config: { visibility: 'public' }, hello: () => 'hello again' });
    const caller = await connect(first.url, { client_id: 'asker' });
    let reconnected = 0;
    worker.on('reconnected', () => reconnected++);
    await first.close();

    const second = await startTestHub({ port });
    cleanup.push(() => second.close());
    const backAt = Date.now();
    await vi.waitFor(
      async () => {
        const svc = await caller.getService<{ hello(): string }>('svc');
        expect(await svc.hello()).toBe('hello again');
      },
      { timeout: 2_000, interval: 50 },
    );
    expect(Date.now() - backAt).toBeLessThan(2_000);
    expect(reconnected).toBe(1);
    expect(second.registry.list({ serviceId: 'svc' }).map((r) => r.id)).toEqual(['public/survivor:svc']);
    expect(second.registry.list({ clientId: 'survivor' }).map((r) => r.serviceId)).toEqual(['built-in', 'svc']);
  });

  it('lets hypha-rpc clients work again after a hub restart', async () => {
    const first = await startTestHub();
    const port = first.port;
    const worker = await connectHypha(first.url, { client_id: 'hypha-survivor' });
    cleanup.push(() => worker.disconnect());
    await worker.registerService({ id: 'hsvc', config: { visibility: 'public' }, hello: () => 'hypha again' });
    await first.close();
    const second = await startTestHub({ port });
    cleanup.push(() => second.close());
    const caller = await connect(second.url);
    await vi.waitFor(
      async () => {
        const svc = await caller.getService<{ hello(): string }>('hsvc');
        expect(await svc.hello()).toBe('hypha again');
      },
      { timeout: 15_000, interval: 100 },
    );
    expect(second.registry.list({ serviceId: 'hsvc' })).toHaveLength(1);
  }, 30_000);
});

describe('reconnection race', () => {
  it('does not let a stale socket closing late delete the registrations of its successor', async () => {
    await using hub = await startTestHub({ pingIntervalMs: 60_000 });
    const old = startProcess('test/fixtures/worker-process.ts', [], {
      MYCEL_SERVER_URL: hub.url,
      WORKER_ID: 'dup',
      WORKER_TAG: 'A',
    });
    cleanup.push(async () => {
      old.child.kill('SIGCONT');
      await old.kill();
    });
    const token = (await old.waitForLine(/^token /)).slice('token '.length);
    await old.waitForLine(/^ready /);
    // Freeze the old process: its socket cannot finish closing until it runs again.
    old.child.kill('SIGSTOP');
    const successor = await connect(hub.url, { client_id: 'dup', reconnection_token: token });
    await successor.registerService(
      { id: 'victim', config: { visibility: 'public' }, whoami: () => 'from-B' },
      { overwrite: true },
    );
    const caller = await connect(hub.url);
    expect(await (await caller.getService<{ whoami(): string }>('victim')).whoami()).toBe('from-B');

    // Let the old socket finish closing now, after the successor registered.
    old.child.kill('SIGCONT');
    await old.exited().catch(() => undefined);
    await vi.waitFor(() => expect(hub.clients.get('public/dup')).toBeDefined());
    expect(hub.registry.get('public/dup:victim')).toBeDefined();
    expect(await (await caller.getService<{ whoami(): string }>('victim')).whoami()).toBe('from-B');
  });

  it('refuses a reconnection token for another client id', async () => {
    await using hub = await startTestHub();
    const a = await connect(hub.url, { client_id: 'a' });
    await expect(
      connect(hub.url, { client_id: 'b', reconnection_token: a.config.reconnection_token }),
    ).rejects.toThrow('client id mismatch');
  });
});
