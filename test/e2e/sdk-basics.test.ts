import { afterEach, describe, expect, it, vi } from 'vitest';
import { connectToServer, MycelError, type MycelClient } from '@mycel/client';
import { startTestHub } from '../helpers/hub.js';

const clients: MycelClient[] = [];
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.disconnect()));
});

async function connect(url: string, options: Record<string, unknown> = {}): Promise<MycelClient> {
  const client = await connectToServer({ server_url: url, ...options });
  clients.push(client);
  return client;
}

describe('@mycel/client against a real hub', () => {
  it('joins the public workspace anonymously and keeps its client id', async () => {
    await using hub = await startTestHub();
    const api = await connect(hub.url, { client_id: 'alice' });
    expect(api.config.workspace).toBe('public');
    expect(api.config.client_id).toBe('alice');
    expect(api.peerId).toBe('public/alice');
  });

  it('registers a service and returns its full id', async () => {
    await using hub = await startTestHub();
    const worker = await connect(hub.url, { client_id: 'w1' });
    const info = await worker.registerService({ id: 'math', add: (a: number, b: number) => a + b });
    expect(info.id).toBe('public/w1:math');
    expect(hub.registry.get('public/w1:math')).toBeDefined();
  });

  it('calls sync and async functions with msgpack values', async () => {
    await using hub = await startTestHub();
    const worker = await connect(hub.url, { client_id: 'w1' });
    await worker.registerService({
      id: 'values',
      same: (x: unknown) => x,
      later: async (x: number) => x * 2,
      nested: { deep: { hello: (name: string) => `hello ${name}` } },
    });
    const caller = await connect(hub.url);
    const svc = await caller.getService<{
      same(x: unknown): unknown;
      later(x: number): number;
      nested: { deep: { hello(name: string): string } };
    }>('values');
    const bytes = new Uint8Array([1, 2, 3, 255]);
    expect(await svc.same({ a: [1, 'two', null], b: { c: true } })).toEqual({ a: [1, 'two', null], b: { c: true } });
    expect(new Uint8Array((await svc.same(bytes)) as Uint8Array)).toEqual(bytes);
    expect(await svc.same(null)).toBeNull();
    expect(await svc.later(21)).toBe(42);
    expect(await svc.nested.deep.hello('bob')).toBe('hello bob');
  });

  it('rejects the caller with the message of an error thrown in the worker', async () => {
    await using hub = await startTestHub();
    const worker = await connect(hub.url, { client_id: 'w1' });
    await worker.registerService({
      id: 'broken',
      fail: () => {
        throw new Error('disk on fire');
      },
    });
    const caller = await connect(hub.url);
    const svc = await caller.getService<{ fail(): void }>('broken');
    await expect(svc.fail()).rejects.toThrow('disk on fire');
  });

  it('passes functions as callbacks in both directions', async () => {
    await using hub = await startTestHub();
    const worker = await connect(hub.url, { client_id: 'w1' });
    await worker.registerService({
      id: 'cb',
      twice: async (f: (x: number) => Promise<number>) => (await f(1)) + (await f(2)),
      makeAdder: (n: number) => (x: number) => x + n,
    });
    const caller = await connect(hub.url);
    const svc = await caller.getService<{
      twice(f: (x: number) => number): number;
      makeAdder(n: number): (x: number) => Promise<number>;
    }>('cb');
    expect(await svc.twice((x) => x * 10)).toBe(30);
    const add5 = await svc.makeAdder(5);
    expect(await add5(1)).toBe(6);
  });

  it('lists, unregisters and reports a missing service', async () => {
    await using hub = await startTestHub();
    const worker = await connect(hub.url, { client_id: 'w1' });
    await worker.registerService({ id: 'tmp', ping: () => 'pong' });
    const caller = await connect(hub.url);
    const ids = (await caller.listServices()).map((s) => s.id);
    expect(ids).toContain('public/w1:tmp');
    await worker.unregisterService('tmp');
    expect((await caller.listServices()).map((s) => s.id)).not.toContain('public/w1:tmp');
    const error = await caller.getService('tmp').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MycelError);
    expect((error as MycelError).message).toContain('not found');
  });

  it('echoes through the hub', async () => {
    await using hub = await startTestHub();
    const api = await connect(hub.url);
    expect(await api.echo({ x: [1, 2, 3] })).toEqual({ x: [1, 2, 3] });
  });

  it('delivers service and client events to subscribers', async () => {
    await using hub = await startTestHub();
    const watcher = await connect(hub.url);
    const seen: Array<{ type: string; data: unknown }> = [];
    for (const type of ['service_added', 'service_removed', 'client_connected', 'client_disconnected']) {
      watcher.on(type, (event) => seen.push({ type: event.type, data: event.data }));
    }
    await watcher.subscribe(['service_added', 'service_removed', 'client_connected', 'client_disconnected']);
    const worker = await connect(hub.url, { client_id: 'w9' });
    await worker.registerService({ id: 'evt', f: () => 1 });
    await worker.unregisterService('evt');
    await worker.disconnect();
    await vi.waitFor(() => expect(seen.map((e) => e.type)).toContain('client_disconnected'));
    expect(seen.map((e) => e.type)).toEqual(['client_connected', 'service_added', 'service_removed', 'client_disconnected']);
    expect(seen[1]?.data).toMatchObject({ id: 'public/w9:evt' });
    expect(seen[3]?.data).toEqual({ id: 'w9', workspace: 'public' });
  });

  it('refuses a second live client with the same id', async () => {
    await using hub = await startTestHub();
    await connect(hub.url, { client_id: 'twin' });
    await expect(connect(hub.url, { client_id: 'twin' })).rejects.toThrow('already exists and is active');
  });

  it('rejects calls after disconnect at once', async () => {
    await using hub = await startTestHub();
    const api = await connect(hub.url);
    await api.disconnect();
    await expect(api.echo(1)).rejects.toThrow(MycelError);
  });
});
