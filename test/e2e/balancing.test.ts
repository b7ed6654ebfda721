/**
 * `balance:` proxies end to end: a real hub, SDK workers and an SDK caller. Each call chooses
 * its instance in the hub; the proxy outlives its instances.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { connectToServer, MycelError, type MycelClient, type ServiceProxy } from '@mycel/client';
import { hubWithCaller } from '../helpers/balancing.js';
import type { TestHub } from '../helpers/hub.js';

interface Echo {
  who(): string;
  add(a: number, b: number): number;
  fail(message: string): never;
  withCallback(cb: (x: number) => Promise<number>): Promise<number>;
  slow(ms: number): Promise<string>;
}

const cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  await Promise.all(cleanup.splice(0).map((f) => f()));
});


/** Starts a worker registering `echo` as `name`, with the given service config. */
async function startWorker(hub: TestHub, name: string, config: Record<string, unknown> = {}): Promise<MycelClient> {
  const worker = await connectToServer({ server_url: hub.url, client_id: name });
  cleanup.push(() => worker.disconnect());
  await worker.registerService({
    id: 'echo',
    config: { visibility: 'public', ...config },
    who: () => name,
    add: (a: number, b: number) => a + b,
    fail: (message: string) => {
      throw new Error(message);
    },
    withCallback: async (cb: (x: number) => Promise<number>) => (await cb(20)) + 1,
    slow: (ms: number) => new Promise((resolve) => setTimeout(() => resolve(`${name} slept ${ms}`), ms)),
  });
  return worker;
}

async function whoServes(proxy: ServiceProxy<Echo>, calls: number): Promise<string[]> {
  const out: string[] = [];
  for (let i = 0; i < calls; i++) out.push(await proxy.who());
  return out;
}

describe('balance: proxies', () => {
  it('takes each instance in turn with round_robin', async () => {
    const { hub, caller } = await hubWithCaller(cleanup);
    for (const name of ['w0', 'w1', 'w2']) await startWorker(hub, name);
    const echo = await caller.getService<Echo>('echo', { mode: 'balance:round_robin' });
    expect(echo.id).toMatch(/^public\/~balanced-[\w-]+:echo$/);
    const served = await whoServes(echo, 9);
    expect(served.slice(3, 6)).toEqual(served.slice(0, 3));
    expect(new Set(served.slice(0, 3))).toEqual(new Set(['w0', 'w1', 'w2']));
    expect(await echo.add(2, 3)).toBe(5);
  });

  it('sends the next call to an instance that joined, and none to one that left', async () => {
    const { hub, caller } = await hubWithCaller(cleanup);
    await startWorker(hub, 'w0');
    const echo = await caller.getService<Echo>('echo', { mode: 'balance:round_robin' });
    expect(await whoServes(echo, 2)).toEqual(['w0', 'w0']);
    const w1 = await startWorker(hub, 'w1');
    expect(new Set(await whoServes(echo, 4))).toEqual(new Set(['w0', 'w1']));
    await w1.disconnect();
    await vi.waitFor(() => expect(hub.registry.query('echo', 'public')).toHaveLength(1));
    expect(await whoServes(echo, 3)).toEqual(['w0', 'w0', 'w0']);
  });

  it('fails at once with SERVICE_NOT_FOUND when no instance is left, and works again when one returns', async () => {
    const { hub, caller } = await hubWithCaller(cleanup);
    const w0 = await startWorker(hub, 'w0');
    const echo = await caller.getService<Echo>('echo', { mode: 'balance:round_robin' });
    expect(await echo.who()).toBe('w0');
    await w0.disconnect();
    await vi.waitFor(() => expect(hub.registry.query('echo', 'public')).toHaveLength(0));
    const error = await echo.who().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MycelError);
    expect((error as MycelError).code).toBe('SERVICE_NOT_FOUND');
    expect((error as MycelError).message).toMatchInlineSnapshot(`"no instance of service "echo" is available (mode "balance:round_robin")"`);
    // SERVICE_NOT_FOUND, not TIMEOUT: the hub answered at once.
    await startWorker(hub, 'w1');
    expect(await echo.who()).toBe('w1');
  });

  it('passes callbacks, worker errors and heartbeats of long calls as a pinned proxy does', async () => {
    const { hub, caller } = await hubWithCaller(cleanup);
    await startWorker(hub, 'w0');
    await startWorker(hub, 'w1');
    const echo = await caller.getService<Echo>('echo', { mode: 'balance:round_robin' });
    for (let i = 0; i < 4; i++) expect(await echo.withCallback(async (x) => x * 2)).toBe(41);
    const error = await echo.fail('boom').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toContain('boom');
  });

  it('keeps a key on its instance with balance:hash, per proxy key or per call with withKey', async () => {
    const { hub, caller } = await hubWithCaller(cleanup);
    for (const name of ['w0', 'w1', 'w2', 'w3']) await startWorker(hub, name);
    const echo = await caller.getService<Echo>('echo', { mode: 'balance:hash' });
    // No key given: the caller's client id is the key.
    expect(new Set(await whoServes(echo, 5)).size).toBe(1);
    const homes = new Map<string, string>();
    for (let user = 0; user < 40; user++) {
      const keyed = echo.withKey(`user-${user}`);
      const served = new Set(await whoServes(keyed, 3));
      expect(served.size).toBe(1);
      homes.set(`user-${user}`, [...served][0] as string);
    }
    // Forty keys over four instances all on one: probability 4 x (1/4)^40.
    expect(new Set(homes.values()).size).toBeGreaterThan(1);
    const pinnedByConfig = await caller.getService<Echo>('echo', { mode: 'balance:hash', key: 'user-7' });
    expect(await pinnedByConfig.who()).toBe(homes.get('user-7'));
    expect(() => echo.withKey({} as unknown as string)).toThrow(TypeError);
  });
});
