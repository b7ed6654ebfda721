/**
 * `balance:` modes with the official hypha-rpc JavaScript client, unchanged: a hypha-rpc caller
 * over Mycel SDK workers, and a Mycel caller over hypha-rpc workers. The hub resolves the
 * virtual peer per call and answers in its name, which is the only peer hypha-rpc's engine
 * accepts its session's frames from.
 */
import { describe, expect, it, vi } from 'vitest';
import { connectToServer, MycelError } from '@mycel/client';
import { startInteropSession } from '../helpers/interop.js';

describe('a hypha-rpc caller with balance: modes', () => {
  it('reaches every Mycel worker in turn, with callbacks, errors and failover to a new instance', async () => {
    const { hub, connect } = await startInteropSession();
    const workers = [];
    for (const name of ['w0', 'w1']) {
      const worker = await connectToServer({ server_url: hub.url, client_id: name });
      workers.push(worker);
      await worker.registerService({
        id: 'echo',
        config: { visibility: 'public' },
        who: () => name,
        twice: async (cb: (x: number) => Promise<number>) => (await cb(1)) + (await cb(2)),
        fail: () => {
          throw new Error(`failed at ${name}`);
        },
      });
    }
    try {
      const caller = await connect({ client_id: 'hypha-caller' });
      const echo = await caller.getService('echo', { mode: 'balance:round_robin' });
      expect(String(echo.id)).toMatch(/^public\/~balanced-[\w-]+:echo$/);
      const served: unknown[] = [];
      for (let i = 0; i < 6; i++) served.push(await echo.who?.());
      expect(served.slice(2, 4)).toEqual(served.slice(0, 2));
      expect(new Set(served)).toEqual(new Set(['w0', 'w1']));
      for (let i = 0; i < 4; i++) expect(await echo.twice?.(async (x: number) => x * 10)).toBe(30);
      await expect(echo.fail?.()).rejects.toThrow(/failed at w/);

      for (const worker of workers) await worker.disconnect();
      await vi.waitFor(() => expect(hub.registry.query('echo', 'public')).toHaveLength(0));
      await expect(echo.who?.()).rejects.toThrow(/no instance of service "echo" is available/);
      const late = await connectToServer({ server_url: hub.url, client_id: 'w2' });
      workers.push(late);
      await late.registerService({ id: 'echo', config: { visibility: 'public' }, who: () => 'w2' });
      expect(await echo.who?.()).toBe('w2');
    } finally {
      for (const worker of workers) await worker.disconnect();
    }
  });

  it('calls hypha-rpc workers in turn, callbacks included', async () => {
    const { connect } = await startInteropSession();
    for (const name of ['h0', 'h1', 'h2']) {
      const worker = await connect({ client_id: name });
      await worker.registerService({
        id: 'relay',
        config: { visibility: 'public' },
        who: () => name,
        apply: async (cb: (x: string) => Promise<string>) => `${name}:${await cb(name)}`,
      });
    }
    const caller = await connect({ client_id: 'hypha-caller' });
    const relay = await caller.getService('relay', { mode: 'balance:round_robin' });
    const served = new Set<unknown>();
    for (let i = 0; i < 6; i++) served.add(await relay.apply?.(async (x: string) => x.toUpperCase()));
    expect(served).toEqual(new Set(['h0:H0', 'h1:H1', 'h2:H2']));
  });

  it('is refused a malformed balance mode, naming the valid forms', async () => {
    const { connect } = await startInteropSession();
    const worker = await connect({ client_id: 'w' });
    await worker.registerService({ id: 'echo', config: { visibility: 'public' }, who: () => 'w' });
    const caller = await connect({ client_id: 'hypha-caller' });
    await expect(caller.getService('echo', { mode: 'balance:fastest' })).rejects.toThrow(/"balance:least_latency"/);
  });
});

describe('a Mycel caller with balance: modes over hypha-rpc workers', () => {
  it('spreads calls over the matching hypha-rpc instances of the lowest priority, long calls included', async () => {
    const { hub, connect } = await startInteropSession();
    for (const [name, config] of [
      ['h0', { priority: 0, metadata: { zone: 'a' } }],
      ['h1', { priority: 0, metadata: { zone: 'a' } }],
      ['h2', { priority: 0, metadata: { zone: 'b' } }],
      ['h3', { priority: 1, metadata: { zone: 'a' } }],
    ] as const) {
      const worker = await connect({ client_id: name });
      await worker.registerService({
        id: 'hecho',
        config: { visibility: 'public', ...config },
        who: () => name,
        slow: (ms: number) => new Promise((resolve) => setTimeout(() => resolve(name), ms)),
      });
    }
    const caller = await connectToServer({ server_url: hub.url, client_id: 'mycel-caller', methodTimeoutMs: 600 });
    try {
      const proxy = await caller.getService<{ who(): string; slow(ms: number): string }>('hecho', {
        mode: 'balance:round_robin',
        match: { zone: 'a' },
      });
      const served = new Set<string>();
      for (let i = 0; i < 6; i++) served.add(await proxy.who());
      expect(served).toEqual(new Set(['h0', 'h1']));
      // hypha-rpc workers heartbeat long calls; the hub passes the beats on in the virtual peer's name.
      expect(['h0', 'h1']).toContain(await proxy.slow(1_500));
      // An ill-typed field, as a client without the SDK's types could send it.
      const config: Record<string, unknown> = { mode: 'balance:round_robin', match: 'a' };
      const error = await caller.getService('hecho', config).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(MycelError);
      expect((error as MycelError).code).toBe('BAD_MESSAGE');
    } finally {
      await caller.disconnect();
    }
  });
});
