import { describe, expect, it, vi } from 'vitest';
import {
  descriptorOf,
  encodeFrame,
  MycelError,
  withParamNames,
  type CallContext,
  type RpcPeer,
} from '@mycel/protocol';
import { connectedPair, MemoryRouter } from '../helpers/memory-transport.js';

/** A router with a caller and a worker in workspace `ws` (each overridable). */
const setup = connectedPair;

const failure = (promise: Promise<unknown>) => promise.then(
  (value) => {
    throw new Error(`expected a rejection, got ${JSON.stringify(value)}`);
  },
  (error: unknown) => error as MycelError,
);

describe('RpcPeer calls', () => {
  it('calls a sync service function and resolves with its result', async () => {
    const { caller, worker } = setup();
    worker.addService({ id: 'math', add: (a: number, b: number) => a + b });
    expect(await caller.call('ws/worker', 'services.math.add', [2, 3])).toBe(5);
  });

  it('keeps its own session id when a stamp names another', async () => {
    const { router, caller, worker } = setup({ stamp: () => ({ ws: 'ws', session: 'forged' }) });
    worker.addService({ id: 'math', add: (a: number, b: number) => a + b });
    expect(await caller.call('ws/worker', 'services.math.add', [2, 3], { timeoutMs: 2_000 })).toBe(5);
    expect(router.log[0]?.header.session).toEqual(expect.any(String));
    expect(router.log[0]?.header.session).not.toBe('forged');
  });

  it('calls an async service function', async () => {
    const { caller, worker } = setup();
    worker.addService({ id: 'math', slowAdd: async (a: number, b: number) => (await Promise.resolve(a)) + b });
    expect(await caller.call('ws/worker', 'services.math.slowAdd', [2, 3])).toBe(5);
  });

  it('calls functions nested in the service object', async () => {
    const { caller, worker } = setup();
    worker.addService({ id: 'math', ops: { mul: (a: number, b: number) => a * b } });
    expect(await caller.call('ws/worker', 'services.math.ops.mul', [4, 5])).toBe(20);
  });

  it('carries binary, nested and null values both ways', async () => {
    const { caller, worker } = setup();
    worker.addService({ id: 'echo', echo: (value: unknown) => value });
    const value = { bytes: new Uint8Array([1, 2, 3]), list: [1, { deep: null }], text: 'ü' };
    const back = (await caller.call('ws/worker', 'services.echo.echo', [value])) as typeof value;
    expect({ ...back, bytes: [...back.bytes] }).toEqual({ ...value, bytes: [1, 2, 3] });
  });

  it('rejects the caller with the message of an error thrown in the callee', async () => {
    const { caller, worker } = setup();
    worker.addService({
      id: 'bad',
      sync: () => {
        throw new Error('division by zero');
      },
      async: async () => {
        throw new TypeError('no such row');
      },
    });
    const sync = await failure(caller.call('ws/worker', 'services.bad.sync'));
    expect(sync).toBeInstanceOf(MycelError);
    expect({ code: sync.code, message: sync.message }).toEqual({ code: 'REMOTE_ERROR', message: 'division by zero' });
    const async = await failure(caller.call('ws/worker', 'services.bad.async'));
    expect({ code: async.code, message: async.message }).toEqual({ code: 'REMOTE_ERROR', message: 'no such row' });
  });

  it('keeps the code of a MycelError thrown in the callee', async () => {
    const { caller, worker } = setup();
    worker.addService({
      id: 'svc',
      f: () => {
        throw new MycelError('SERVICE_NOT_FOUND', 'service "db" not found');
      },
    });
    expect(await failure(caller.call('ws/worker', 'services.svc.f'))).toMatchObject({
      code: 'SERVICE_NOT_FOUND',
      message: 'service "db" not found',
    });
  });

  it('rejects with METHOD_NOT_FOUND for an unknown service or function', async () => {
    const { caller, worker } = setup();
    worker.addService({ id: 'math', add: () => 0 });
    const error = await failure(caller.call('ws/worker', 'services.math.sub'));
    expect(error.code).toBe('METHOD_NOT_FOUND');
    expect(error.message).toMatchInlineSnapshot(`"method "services.math.sub" not found at "ws/worker""`);
    expect((await failure(caller.call('ws/worker', 'services.nope.add'))).code).toBe('METHOD_NOT_FOUND');
  });

  it('runs fire-and-forget calls from notify without an answer', async () => {
    const { router, caller, worker } = setup();
    const seen = vi.fn();
    worker.addService({ id: 'log', write: seen });
    caller.notify('ws/worker', 'services.log.write', ['line']);
    await vi.waitFor(() => expect(seen).toHaveBeenCalledWith('line'));
    expect(router.log.filter((f) => f.from === 'ws/worker')).toEqual([]);
  });

  it('hands events to onEvent with the stamped sender', async () => {
    const onEvent = vi.fn();
    const { caller } = setup({}, { onEvent });
    caller.emit({ type: 'progress', to: 'ws/worker', value: 3 });
    await vi.waitFor(() => expect(onEvent).toHaveBeenCalledTimes(1));
    expect(onEvent.mock.calls[0]?.[0]).toMatchObject({ type: 'progress', from: 'ws/caller', value: 3 });
  });
});

describe('RpcPeer callbacks', () => {
  it('lets the callee call a function passed as an argument', async () => {
    const { caller, worker } = setup();
    worker.addService({
      id: 'job',
      run: async (steps: number, report: (n: number) => Promise<unknown>) => {
        for (let i = 1; i <= steps; i++) await report(i);
        return 'done';
      },
    });
    const report = vi.fn();
    expect(await caller.call('ws/worker', 'services.job.run', [3, report])).toBe('done');
    expect(report.mock.calls).toEqual([[1], [2], [3]]);
  });

  it('returns what the caller-side callback returns to the callee', async () => {
    const { caller, worker } = setup();
    worker.addService({ id: 'svc', apply: async (x: number, f: (x: number) => Promise<number>) => (await f(x)) + 1 });
    expect(await caller.call('ws/worker', 'services.svc.apply', [4, (x: number) => x * 10])).toBe(41);
  });

  it('lets the caller call a function returned by the callee', async () => {
    const { caller, worker } = setup();
    worker.addService({ id: 'counter', make: (start: number) => ({ next: (step: number) => (start += step) }) });
    const handle = (await caller.call('ws/worker', 'services.counter.make', [10])) as {
      next: (step: number) => Promise<number>;
    };
    expect(await handle.next(1)).toBe(11);
    expect(await handle.next(5)).toBe(16);
  });

  it('refuses a callback call from a peer other than the one it was given to', async () => {
    const { router, caller, worker } = setup();
    const eve = router.addPeer({ workspace: 'ws', clientId: 'eve' });
    let method = '';
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    worker.addService({
      id: 'svc',
      grab: async (cb: () => unknown) => {
        method = descriptorOf(cb)?._rmethod ?? '';
        await held;
        return 'ok';
      },
    });
    const callback = vi.fn();
    const pending = caller.call('ws/worker', 'services.svc.grab', [callback]);
    await vi.waitFor(() => expect(method).not.toBe(''));
    const error = await failure(eve.call('ws/caller', method, []));
    expect(error.code).toBe('PERMISSION_DENIED');
    expect(error.message).toBe(`access denied: "ws/eve" may not call back "${method}"`);
    expect(callback).not.toHaveBeenCalled();
    release();
    expect(await pending).toBe('ok');
  });

  it('does not let another peer resolve a pending call', async () => {
    const { router, caller } = setup();
    router.addPeer({ workspace: 'ws', clientId: 'eve' });
    const pending = caller.call('ws/ghost', 'services.svc.f');
    const session = router.log[0]?.header.session as string;
    const forged = { type: 'method', to: 'ws/caller', method: `${session}.resolve`, session: 'e1' };
    router.inject('ws/eve', encodeFrame(forged, { args: [666], promise: '*' }));
    await vi.waitFor(() => expect(router.log[2]?.header.method).toBe('e1.reject'));
    expect(caller.pendingCount).toBe(1);
    caller.close();
    expect((await failure(pending)).code).toBe('CONNECTION_CLOSED');
  });
});

describe('RpcPeer require_context', () => {
  it('appends a context naming the caller', async () => {
    const { caller, worker } = setup();
    worker.addService({
      id: 'who',
      config: { require_context: true },
      whoami: (greeting: string, context: CallContext) => ({ greeting, context }),
    });
    expect(await caller.call('ws/worker', 'services.who.whoami', ['hi'])).toEqual({
      greeting: 'hi',
      context: { from: 'ws/caller', to: 'ws/worker', ws: 'ws', user: null },
    });
  });

  it('puts the context in the last declared parameter when arguments are missing', async () => {
    const { caller, worker } = setup();
    worker.addService({
      id: 'who',
      config: { require_context: true },
      f: (a: number, b: number | undefined, context: CallContext) => [a, b ?? 'none', context.from],
    });
    expect(await caller.call('ws/worker', 'services.who.f', [1])).toEqual([1, 'none', 'ws/caller']);
  });

  it('appends the context only to the methods listed', async () => {
    const { caller, worker } = setup();
    worker.addService({
      id: 'who',
      config: { require_context: ['withCtx'] },
      withCtx: (context: CallContext) => context.from,
      withoutCtx: (...args: unknown[]) => args.length,
    });
    expect(await caller.call('ws/worker', 'services.who.withCtx')).toBe('ws/caller');
    expect(await caller.call('ws/worker', 'services.who.withoutCtx')).toBe(0);
  });
});

describe('RpcPeer keyword arguments', () => {
  it('maps kwargs onto parameter names', async () => {
    const { caller, worker } = setup();
    worker.addService({ id: 'math', sub: (a: number, b: number) => a - b });
    expect(await caller.call('ws/worker', 'services.math.sub', [], { kwargs: { b: 1, a: 10 } })).toBe(9);
  });

  it('fills positional arguments first and kwargs by name', async () => {
    const { caller, worker } = setup();
    worker.addService({ id: 'f', join: (a: string, b: string, c: string) => [a, b, c].join('-') });
    expect(await caller.call('ws/worker', 'services.f.join', ['x'], { kwargs: { c: 'z', b: 'y' } })).toBe('x-y-z');
  });

  it('uses names from withParamNames', async () => {
    const { caller, worker } = setup();
    worker.addService({
      id: 'f',
      g: withParamNames((...args: unknown[]) => args, ['first', 'second']),
    });
    expect(await caller.call('ws/worker', 'services.f.g', [], { kwargs: { second: 2, first: 1 } })).toEqual([1, 2]);
  });

  it('passes kwargs as a last object when parameter names cannot be read', async () => {
    const { caller, worker } = setup();
    worker.addService({ id: 'f', g: ({ a, b }: { a: number; b: number }) => a * b });
    expect(await caller.call('ws/worker', 'services.f.g', [], { kwargs: { a: 3, b: 4 } })).toBe(12);
  });

  it('keeps the context slot when kwargs meet require_context', async () => {
    const { caller, worker } = setup();
    worker.addService({
      id: 'f',
      config: { require_context: true },
      g: (a: number, b: number, context: CallContext) => [a, b, context.from],
    });
    expect(await caller.call('ws/worker', 'services.f.g', [], { kwargs: { b: 2, a: 1 } })).toEqual([1, 2, 'ws/caller']);
  });
});

describe('RpcPeer service visibility', () => {
  function workspaces(callerWorkspace: string, config: Record<string, unknown> = {}) {
    const router = new MemoryRouter();
    const worker = router.addPeer({ workspace: 'ws1', clientId: 'worker' });
    const caller: RpcPeer = router.addPeer({ workspace: callerWorkspace, clientId: 'caller' });
    worker.addService({ id: 'secret', config, read: () => 'data' });
    return caller;
  }

  it('refuses a protected service to another workspace', async () => {
    const error = await failure(workspaces('other').call('ws1/worker', 'services.secret.read'));
    expect(error.code).toBe('PERMISSION_DENIED');
    expect(error.message).toMatchInlineSnapshot(
      `"permission denied: "other/caller" may not call protected service "secret""`,
    );
  });

  it('allows a protected service to the same workspace and to "*"', async () => {
    expect(await workspaces('ws1').call('ws1/worker', 'services.secret.read')).toBe('data');
    expect(await workspaces('*').call('ws1/worker', 'services.secret.read')).toBe('data');
  });

  it('allows authorized workspaces and public services', async () => {
    const authorized = workspaces('other', { authorized_workspaces: ['other'] });
    expect(await authorized.call('ws1/worker', 'services.secret.read')).toBe('data');
    expect(await workspaces('other', { visibility: 'public' }).call('ws1/worker', 'services.secret.read')).toBe('data');
  });
});

describe('RpcPeer built-in service', () => {
  it('answers ping with pong', async () => {
    const { caller } = setup();
    expect(await caller.call('ws/worker', 'services.built-in.ping', ['ping'])).toBe('pong');
  });

  it('returns a service whose functions call the provider', async () => {
    const { caller, worker } = setup();
    worker.addService({ id: 'math', name: 'Math', add: (a: number, b: number) => a + b, pi: 3.14 });
    const service = await caller.getRemoteService('ws/worker', 'math');
    expect(service).toMatchObject({ id: 'ws/worker:math', name: 'Math', pi: 3.14, config: { workspace: 'ws' } });
    expect(await (service.add as (a: number, b: number) => Promise<number>)(2, 2)).toBe(4);
  });

  it('describes functions as method descriptors pointing at the provider', () => {
    const { worker } = setup({}, { serverBaseUrl: 'http://hub' });
    worker.addService({ id: 'math', add: () => 0, _hidden: () => 1, nested: { f: () => 2 } });
    const described = worker.describeService('math');
    expect(described.add).toEqual({
      _rtype: 'method',
      _rtarget: 'ws/worker',
      _rmethod: 'services.math.add',
      _rpromise: '*',
      _rname: 'add',
      _rserver: 'http://hub',
    });
    expect(described).not.toHaveProperty('_hidden');
    expect((described.nested as Record<string, { _rmethod: string }>).f?._rmethod).toBe('services.math.nested.f');
  });

  it('reports a missing service as SERVICE_NOT_FOUND', async () => {
    const { caller } = setup();
    expect(await failure(caller.getRemoteService('ws/worker', 'nope'))).toMatchObject({
      code: 'SERVICE_NOT_FOUND',
      message: 'service "nope" not found',
    });
  });

  it('refuses a protected service description to another workspace', async () => {
    const router = new MemoryRouter();
    const worker = router.addPeer({ workspace: 'ws1', clientId: 'worker' });
    const outsider = router.addPeer({ workspace: 'other', clientId: 'x' });
    worker.addService({ id: 'secret', read: () => 1 });
    expect((await failure(outsider.getRemoteService('ws1/worker', 'secret'))).code).toBe('PERMISSION_DENIED');
  });
});

describe('RpcPeer message cache', () => {
  it('reassembles a chunked frame and runs it as the sender', async () => {
    const { router, caller, worker } = setup();
    worker.addService({
      id: 'math',
      config: { require_context: true },
      add: (a: number, b: number, context: CallContext) => [a + b, context.from],
    });
    let held: Uint8Array | undefined;
    router.intercept = (frame) => {
      if (frame.header.method !== 'services.math.add') return false;
      held = frame.bytes;
      return true;
    };
    const call = caller.call('ws/worker', 'services.math.add', [2, 3]);
    expect(held).toBeInstanceOf(Uint8Array);
    const frame = held as Uint8Array;
    const cut = Math.floor(frame.length / 2);
    const cache = (fn: string, ...args: unknown[]) => caller.call('ws/worker', `services.built-in.message_cache.${fn}`, args);
    await cache('create', 'k1', false, false);
    await cache('set', 'k1', 1, frame.slice(cut), false);
    await cache('set', 'k1', 0, frame.slice(0, cut), false);
    await cache('process', 'k1', false);
    expect(await call).toEqual([5, 'ws/caller']);
  });

  it('does not let another peer process a message it did not create', async () => {
    const { router, caller } = setup();
    const eve = router.addPeer({ workspace: 'ws', clientId: 'eve' });
    await caller.call('ws/worker', 'services.built-in.message_cache.create', ['k', false, false]);
    await caller.call('ws/worker', 'services.built-in.message_cache.append', ['k', new Uint8Array([1]), false]);
    const error = await failure(eve.call('ws/worker', 'services.built-in.message_cache.process', ['k', false]));
    expect(error).toMatchObject({ code: 'BAD_MESSAGE', message: 'message "k" does not exist' });
  });

  it('rejects process when a chunk is missing', async () => {
    const { caller } = setup();
    const cache = (fn: string, ...args: unknown[]) => caller.call('ws/worker', `services.built-in.message_cache.${fn}`, args);
    await cache('create', 'k', false, false);
    await cache('set', 'k', 1, new Uint8Array([1]), false);
    expect(await failure(cache('process', 'k', false))).toMatchObject({ code: 'BAD_MESSAGE' });
  });
});
