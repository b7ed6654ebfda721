import { afterEach, describe, expect, it, vi } from 'vitest';
import { connectToServer, type MycelClient } from '@mycel/client';
import { connectHypha, type HyphaApi } from '../helpers/hypha.js';
import { startTestHub } from '../helpers/hub.js';

const open: Array<{ disconnect(): Promise<void> }> = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((c) => c.disconnect()));
});

async function mycel(url: string, clientId?: string): Promise<MycelClient> {
  const client = await connectToServer({ server_url: url, ...(clientId && { client_id: clientId }) });
  open.push(client);
  return client;
}

async function hypha(url: string, clientId?: string): Promise<HyphaApi> {
  const client = await connectHypha(url, clientId ? { client_id: clientId } : {});
  open.push(client);
  return client;
}

describe('hypha-rpc and @mycel/client on one hub', () => {
  it('lets a hypha-rpc caller use a @mycel/client worker', async () => {
    await using hub = await startTestHub();
    const worker = await mycel(hub.url, 'mycel-worker');
    await worker.registerService({
      id: 'calc',
      config: { visibility: 'public' },
      add: (a: number, b: number) => a + b,
      apply: async (f: (x: number) => Promise<number>, x: number) => (await f(x)) + 1,
      bytes: (n: number) => new Uint8Array(n).fill(7),
      fail: () => {
        throw new Error('no such luck');
      },
    });
    const caller = await hypha(hub.url);
    const calc = await caller.getService('calc');
    expect(await calc.add?.(2, 40)).toBe(42);
    expect(await calc.apply?.((x: unknown) => (x as number) * 3, 5)).toBe(16);
    const bytes = (await calc.bytes?.(4)) as Uint8Array;
    expect([...bytes]).toEqual([7, 7, 7, 7]);
    await expect(calc.fail?.()).rejects.toThrow('no such luck');
  });

  it('lets a @mycel/client caller use a hypha-rpc worker', async () => {
    await using hub = await startTestHub();
    const worker = await hypha(hub.url, 'hypha-worker');
    await worker.registerService({
      id: 'greeter',
      config: { visibility: 'public' },
      greet: (name: string) => `hi ${name}`,
      later: async (x: number) => x * 2,
      callMe: async (f: (x: string) => Promise<string>) => `got ${await f('ping')}`,
      fail: () => {
        throw new Error('hypha side failed');
      },
    });
    const caller = await mycel(hub.url);
    const greeter = await caller.getService<{
      greet(name: string): string;
      later(x: number): number;
      callMe(f: (x: string) => string): string;
      fail(): void;
    }>('greeter');
    expect(greeter.id).toBe('public/hypha-worker:greeter');
    expect(await greeter.greet('ada')).toBe('hi ada');
    expect(await greeter.later(21)).toBe(42);
    expect(await greeter.callMe((x) => `${x}-pong`)).toBe('got ping-pong');
    await expect(greeter.fail()).rejects.toThrow('hypha side failed');
  });

  it('shows services of both kinds of client in one listing and delivers events to both', async () => {
    await using hub = await startTestHub();
    const m = await mycel(hub.url, 'm1');
    const h = await hypha(hub.url, 'h1');
    const seenByHypha: string[] = [];
    h.on('service_added', (event) => seenByHypha.push(String((event.data as { id?: unknown }).id)));
    await h.subscribe(['service_added']);
    const seenByMycel: string[] = [];
    m.on('service_added', (event) => seenByMycel.push(String((event.data as { id?: unknown }).id)));
    await m.subscribe('service_added');
    await m.registerService({ id: 'a', f: () => 1 });
    await h.registerService({ id: 'b', f: () => 2 });
    const ids = (await m.listServices()).map((s) => s.id);
    expect(ids).toEqual(expect.arrayContaining(['public/m1:a', 'public/h1:b']));
    await vi.waitFor(() => {
      expect(seenByHypha).toEqual(['public/m1:a', 'public/h1:b']);
      expect(seenByMycel).toEqual(['public/m1:a', 'public/h1:b']);
    });
  });
});
