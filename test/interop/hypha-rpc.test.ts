/**
 * The official hypha-rpc client (npm 0.21.40) against a Mycel hub: connecting, registering,
 * listing, finding and calling services, callbacks, errors and unregistering.
 */
import { describe, expect, it } from 'vitest';
import { startInteropSession } from '../helpers/interop.js';

describe('hypha-rpc client against a Mycel hub', () => {
  it('joins the public workspace and keeps its client id', async () => {
    const { connect, hub } = await startInteropSession();
    const api = await connect({ client_id: 'alice' });
    expect(api.config.workspace).toBe('public');
    expect(api.config.client_id).toBe('alice');
    expect(api.config.manager_id).toBe(hub.managerId.slice(2));
    expect(hub.clients.has('public/alice')).toBe(true);
  });

  it('refuses a second client with an active client id', async () => {
    const { connect, hub } = await startInteropSession();
    const first = await connect({ client_id: 'twin' });
    await expect(connect({ client_id: 'twin' })).rejects.toThrow(/already exists/);
    expect(hub.clients.size).toBe(1);
    // The first client keeps its connection and still works.
    expect(await first.echo('still here')).toBe('still here');
  });

  it('registers sync, async and nested functions and lists them with full ids', async () => {
    const { connect } = await startInteropSession();
    const worker = await connect({ client_id: 'worker' });
    const info = await worker.registerService({
      id: 'calc',
      add: (a: number, b: number) => a + b,
      slowDouble: async (x: number) => x * 2,
      nested: { deep: { greet: (name: string) => `hello ${name}` } },
    });
    expect(info.id).toBe('public/worker:calc');

    const caller = await connect({ client_id: 'caller' });
    const listed = await caller.listServices();
    const ids = listed.map((s) => s.id);
    expect(ids).toContain('public/worker:calc');
    expect(ids).toContain('public/worker:built-in');
    expect(ids).toContain('public/caller:built-in');
    const calc = listed.find((s) => s.id === 'public/worker:calc');
    expect(calc).toMatchObject({ name: 'calc', type: 'generic', app_id: '*' });
    expect(Object.keys(calc?.service_schema as object).sort()).toEqual(['add', 'nested', 'slowDouble']);

    const svc = await caller.getService('calc');
    expect(await svc.add?.(2, 3)).toBe(5);
    expect(await svc.slowDouble?.(21)).toBe(42);
    const nested = svc.nested as unknown as { deep: { greet(name: string): Promise<string> } };
    expect(await nested.deep.greet('mycel')).toBe('hello mycel');
  });

  it('finds a service by id, by client:id and by full id', async () => {
    const { connect } = await startInteropSession();
    const worker = await connect({ client_id: 'w' });
    await worker.registerService({ id: 'named', whoami: () => 'named service' });
    const caller = await connect();
    for (const query of ['named', 'w:named', 'public/w:named']) {
      const svc = await caller.getService(query);
      expect(svc.id).toBe('public/w:named');
      expect(await svc.whoami?.()).toBe('named service');
    }
  });

  it('passes msgpack values through calls unchanged', async () => {
    const { connect } = await startInteropSession();
    const worker = await connect({ client_id: 'w' });
    await worker.registerService({
      id: 'values',
      identity: (value: unknown) => value,
      describe: (value: unknown) => (value === null ? 'null' : value instanceof Uint8Array ? 'bytes' : typeof value),
    });
    const caller = await connect();
    const svc = await caller.getService('values');
    const bytes = Uint8Array.from([0, 1, 2, 253, 254, 255]);
    const samples: unknown[] = [
      null,
      0,
      -7,
      3.25,
      2 ** 40,
      '',
      'unicode ✓ 漢字',
      [1, 'two', null, [3]],
      { a: 1, b: { c: [true, false] }, s: 'x', n: null },
      bytes,
    ];
    for (const sample of samples) {
      expect(await svc.identity?.(sample)).toEqual(sample);
    }
    const echoed = await svc.identity?.({ bytes });
    expect((echoed as { bytes: unknown }).bytes).toBeInstanceOf(Uint8Array);
    expect(await svc.describe?.(bytes)).toBe('bytes');
    expect(await svc.describe?.(null)).toBe('null');
    // The manager's own echo decodes and re-encodes: the same values survive it too.
    expect(await caller.echo({ bytes, list: [1, null, 'x'], nested: { n: -1.5 } })).toEqual({
      bytes,
      list: [1, null, 'x'],
      nested: { n: -1.5 },
    });
  });

  it('calls back a function the caller passed and returns what it computed', async () => {
    const { connect } = await startInteropSession();
    const worker = await connect({ client_id: 'w' });
    await worker.registerService({
      id: 'mapper',
      map: async (items: number[], fn: (x: number) => Promise<number>) => {
        const out: number[] = [];
        for (const item of items) out.push(await fn(item));
        return out;
      },
    });
    const caller = await connect();
    const mapper = await caller.getService('mapper');
    const seen: number[] = [];
    const result = await mapper.map?.([1, 2, 3], (x: number) => {
      seen.push(x);
      return x * 10;
    });
    expect(result).toEqual([10, 20, 30]);
    expect(seen).toEqual([1, 2, 3]);
  });

  it('carries callbacks in both directions within one call', async () => {
    const { connect } = await startInteropSession();
    const worker = await connect({ client_id: 'w' });
    await worker.registerService({
      id: 'runner',
      // The worker hands its own function to the caller's callback, which calls it back.
      run: async (task: (helper: (x: number) => number) => Promise<number>) => {
        const fromCaller = await task((x: number) => x + 1);
        return fromCaller * 2;
      },
    });
    const caller = await connect();
    const runner = await caller.getService('runner');
    const result = await runner.run?.(async (helper: (x: number) => Promise<number>) => (await helper(41)) + 100);
    expect(result).toBe((42 + 100) * 2);
  });

  it('rejects the caller with the message of an error thrown in the worker', async () => {
    const { connect } = await startInteropSession();
    const worker = await connect({ client_id: 'w' });
    await worker.registerService({
      id: 'faulty',
      fail: () => {
        throw new Error('sync kaboom');
      },
      failLater: async () => {
        throw new Error('async kaboom');
      },
    });
    const caller = await connect();
    const faulty = await caller.getService('faulty');
    await expect(faulty.fail?.()).rejects.toThrow(/sync kaboom/);
    await expect(faulty.failLater?.()).rejects.toThrow(/async kaboom/);
    // The worker is unharmed.
    await expect(faulty.fail?.()).rejects.toThrow(/sync kaboom/);
  });

  it('removes an unregistered service', async () => {
    const { connect, hub } = await startInteropSession();
    const worker = await connect({ client_id: 'w' });
    await worker.registerService({ id: 'temp', ping: () => 'pong' });
    const caller = await connect();
    expect(await (await caller.getService('temp')).ping?.()).toBe('pong');

    await worker.unregisterService('temp');
    expect(hub.registry.get('public/w:temp')).toBeUndefined();
    await expect(caller.getService('temp')).rejects.toThrow(/service "temp" not found/);
    const ids = (await caller.listServices()).map((s) => s.id);
    expect(ids).not.toContain('public/w:temp');
    expect(ids).toContain('public/w:built-in');
  });

  it('removes the services of a client that disconnects', async () => {
    const { connect, hub } = await startInteropSession();
    const worker = await connect({ client_id: 'leaver' });
    await worker.registerService({ id: 'gone-soon', ping: () => 'pong' });
    const caller = await connect();
    expect((await caller.listServices()).map((s) => s.id)).toContain('public/leaver:gone-soon');
    await worker.disconnect();
    await expect.poll(() => hub.clients.has('public/leaver'), { timeout: 5_000 }).toBe(false);
    expect((await caller.listServices()).map((s) => s.id).filter((id) => String(id).includes('leaver'))).toEqual([]);
    await expect(caller.getService('gone-soon')).rejects.toThrow(/not found/);
  });
});
