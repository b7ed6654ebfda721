/**
 * RpcPeer timeouts, heartbeats, closing, limits and malformed input. Calls, callbacks, context
 * and the built-in service are in peer.test.ts.
 */
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { decodeFrame, encodeFrame, MycelError, packValue, RpcPeer, type PeerLogger } from '@mycel/protocol';
import { connectedPair, type RoutedFrame } from '../helpers/memory-transport.js';

const setup = connectedPair;

/** Settles a promise into its error (or fails); attach it before advancing fake time. */
function failure(promise: Promise<unknown>): Promise<MycelError> {
  return promise.then(
    (value) => {
      throw new Error(`expected a rejection, got ${JSON.stringify(value)}`);
    },
    (error: unknown) => error as MycelError,
  );
}

/** A promise's state, observed without waiting for it. */
function track<T>(promise: Promise<T>): { settled: boolean } {
  const state = { settled: false };
  promise.then(
    () => (state.settled = true),
    () => (state.settled = true),
  );
  return state;
}

describe('RpcPeer timeouts', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('rejects with TIMEOUT when the callee never answers', async () => {
    const { caller } = setup({ methodTimeoutMs: 1000 });
    const call = caller.call('ws/ghost', 'services.math.add', [1, 2]);
    const state = track(call);
    const error = failure(call);
    await vi.advanceTimersByTimeAsync(999);
    expect(state.settled).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect((await error).code).toBe('TIMEOUT');
    expect((await error).message).toMatchInlineSnapshot(
      `"call "services.math.add" to "ws/ghost" timed out after 1000ms"`,
    );
    expect(caller.pendingCount).toBe(0);
  });

  it('uses the timeout given to the call over the peer default', async () => {
    const { caller } = setup({ methodTimeoutMs: 60_000 });
    const error = failure(caller.call('ws/ghost', 'services.x.f', [], { timeoutMs: 50 }));
    await vi.advanceTimersByTimeAsync(50);
    expect((await error).message).toContain('timed out after 50ms');
  });

  it('keeps a long call alive past the timeout while the callee heartbeats', async () => {
    const { caller, worker } = setup({ methodTimeoutMs: 1000 });
    worker.addService({
      id: 'job',
      slow: () => new Promise((resolve) => setTimeout(() => resolve('finished'), 5000)),
    });
    const call = caller.call('ws/worker', 'services.job.slow');
    const state = track(call);
    await vi.advanceTimersByTimeAsync(4999);
    expect(state.settled).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(await call).toBe('finished');
  });

  it('times out a long call whose heartbeats are lost', async () => {
    const { router, caller, worker } = setup({ methodTimeoutMs: 1000 });
    router.intercept = (frame) => String(frame.header.method).endsWith('.heartbeat');
    worker.addService({
      id: 'job',
      slow: () => new Promise((resolve) => setTimeout(() => resolve('finished'), 5000)),
    });
    const error = failure(caller.call('ws/worker', 'services.job.slow'));
    await vi.advanceTimersByTimeAsync(1000);
    expect((await error).code).toBe('TIMEOUT');
    expect(router.log.some((f) => String(f.header.method).endsWith('.heartbeat'))).toBe(true);
  });

  it('stops heartbeating once the callee has answered', async () => {
    const { router, caller, worker } = setup({ methodTimeoutMs: 1000 });
    worker.addService({ id: 'job', slow: () => new Promise((resolve) => setTimeout(() => resolve(1), 1200)) });
    await Promise.all([caller.call('ws/worker', 'services.job.slow'), vi.advanceTimersByTimeAsync(1200)]);
    const beats = router.log.filter((f) => String(f.header.method).endsWith('.heartbeat')).length;
    await vi.advanceTimersByTimeAsync(10_000);
    expect(router.log.filter((f) => String(f.header.method).endsWith('.heartbeat')).length).toBe(beats);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('ignores an answer that arrives after the timeout', async () => {
    const debug = vi.fn();
    const { router, caller, worker } = setup({ methodTimeoutMs: 100, logger: { warn: vi.fn(), debug } });
    router.intercept = (frame) => String(frame.header.method).endsWith('.heartbeat');
    worker.addService({ id: 'job', late: () => new Promise((resolve) => setTimeout(() => resolve('late'), 300)) });
    const error = failure(caller.call('ws/worker', 'services.job.late'));
    await vi.advanceTimersByTimeAsync(100);
    expect((await error).code).toBe('TIMEOUT');
    await vi.advanceTimersByTimeAsync(200);
    await vi.waitFor(() => expect(debug).toHaveBeenCalledWith(expect.anything(), 'session not found'));
    expect(caller.pendingCount).toBe(0);
  });
});

describe('RpcPeer close', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('rejects every pending call with CONNECTION_CLOSED and clears their timers', async () => {
    const { caller } = setup();
    const errors = [
      failure(caller.call('ws/ghost', 'services.a.f')),
      failure(caller.call('ws/ghost', 'services.b.g')),
      failure(caller.call('ws/other', 'services.c.h')),
    ];
    expect(caller.pendingCount).toBe(3);
    caller.close();
    for (const error of await Promise.all(errors)) {
      expect(error).toBeInstanceOf(MycelError);
      expect(error).toMatchObject({ code: 'CONNECTION_CLOSED', message: 'connection closed' });
    }
    expect(caller.pendingCount).toBe(0);
    expect(caller.isClosed).toBe(true);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('rejects later calls at once, without sending', async () => {
    const { router, caller } = setup();
    caller.close();
    const before = router.log.length;
    const error = await failure(caller.call('ws/worker', 'services.built-in.ping', ['ping']));
    expect(error.code).toBe('CONNECTION_CLOSED');
    expect(router.log.length).toBe(before);
    expect(() => caller.emit({ type: 'x', to: 'ws/worker' })).toThrow(MycelError);
  });

  it('rejects with the error given to close', async () => {
    const { caller } = setup();
    const error = failure(caller.call('ws/ghost', 'services.a.f'));
    caller.close(new MycelError('CONNECTION_CLOSED', 'socket lost'));
    expect((await error).message).toBe('socket lost');
  });

  it('rejects the call when the transport throws on send', async () => {
    const peer = new RpcPeer({
      workspace: 'ws',
      clientId: 'c',
      send: () => {
        throw new Error('socket is closed');
      },
    });
    const error = await failure(peer.call('ws/w', 'services.a.f'));
    expect(error).toMatchObject({ code: 'CONNECTION_CLOSED', message: 'socket is closed' });
    expect(peer.pendingCount).toBe(0);
  });
});

describe('RpcPeer forgetPeer', () => {
  it('rejects only the calls waiting on that peer', async () => {
    const { caller } = setup();
    const toGhost = failure(caller.call('ws/ghost', 'services.a.f'));
    const toWorker = caller.call('ws/worker', 'services.built-in.ping', ['ping']);
    const count = caller.forgetPeer('ws/ghost', new MycelError('CONNECTION_CLOSED', 'peer "ws/ghost" left'));
    expect(count).toBe(1);
    expect(await toGhost).toMatchObject({ code: 'CONNECTION_CLOSED', message: 'peer "ws/ghost" left' });
    expect(await toWorker).toBe('pong');
    expect(caller.isClosed).toBe(false);
  });

  it('returns 0 when nothing waits on that peer', () => {
    const { caller } = setup();
    expect(caller.forgetPeer('ws/nobody', new MycelError('CONNECTION_CLOSED', 'x'))).toBe(0);
  });
});

describe('RpcPeer limits', () => {
  it('rejects calls past maxPendingCalls with LIMIT_EXCEEDED', async () => {
    const { caller } = setup({ maxPendingCalls: 2 });
    const first = failure(caller.call('ws/ghost', 'services.a.f'));
    const second = failure(caller.call('ws/ghost', 'services.a.f'));
    const error = await failure(caller.call('ws/ghost', 'services.a.f'));
    expect(error.code).toBe('LIMIT_EXCEEDED');
    expect(error.message).toMatchInlineSnapshot(`"too many pending calls (limit 2)"`);
    expect(caller.pendingCount).toBe(2);
    caller.forgetPeer('ws/ghost', new MycelError('CONNECTION_CLOSED', 'gone'));
    await Promise.all([first, second]);
    expect(await caller.call('ws/worker', 'services.built-in.ping', ['ping'])).toBe('pong');
  });

  it('rejects arguments it cannot encode with BAD_MESSAGE and keeps no pending call', async () => {
    const { caller } = setup();
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    const error = await failure(caller.call('ws/worker', 'services.a.f', [circular]));
    expect(error.code).toBe('BAD_MESSAGE');
    expect(caller.pendingCount).toBe(0);
  });

  it('rejects the caller when the callee returns a value it cannot encode', async () => {
    const { caller, worker } = setup();
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    worker.addService({ id: 'svc', loop: () => circular });
    const error = await failure(caller.call('ws/worker', 'services.svc.loop'));
    expect(error).toMatchObject({ code: 'BAD_MESSAGE', message: 'value nested deeper than 64 levels' });
  });
});

describe('RpcPeer malformed input', () => {
  function listener(logger?: PeerLogger) {
    const sent: Uint8Array[] = [];
    const peer = new RpcPeer({ workspace: 'ws', clientId: 'w', send: (f) => sent.push(f), ...(logger && { logger }) });
    peer.addService({ id: 'svc', f: () => 1 });
    return { peer, sent };
  }

  it('drops frames that are not msgpack and logs a warning', () => {
    const warn = vi.fn();
    const { peer, sent } = listener({ warn });
    for (const bytes of [[], [0x92, 0x01], [0xc1], new Array(100_000).fill(0x91)]) {
      expect(() => peer.handleFrame(new Uint8Array(bytes))).not.toThrow();
    }
    expect(sent).toEqual([]);
    expect(warn).toHaveBeenCalledWith(expect.objectContaining({ err: expect.any(String) }), 'dropped malformed frame');
  });

  it('drops frames whose header is not a map', () => {
    const { peer, sent } = listener();
    for (const header of [1, 'method', null, [1, 2], true]) {
      expect(() => peer.handleFrame(packValue(header))).not.toThrow();
    }
    expect(sent).toEqual([]);
  });

  it('answers an invalid method message that has a session with BAD_MESSAGE', async () => {
    const warn = vi.fn();
    const { router } = setup({}, { logger: { warn } });
    router.inject('ws/caller', encodeFrame({ type: 'method', to: 'ws/worker', session: 's1' }, { args: 'no' }));
    await vi.waitFor(() => expect(router.log.some((f) => f.header.method === 's1.reject')).toBe(true));
    const reply = router.log.find((f) => f.header.method === 's1.reject') as RoutedFrame;
    expect(reply).toMatchObject({ from: 'ws/worker', to: 'ws/caller' });
    expect((decodeFrame(reply.bytes).extra as { args: unknown[] }).args).toEqual([
      { _rtype: 'error', _rvalue: 'invalid method message', _rcode: 'BAD_MESSAGE' },
    ]);
    expect(warn).toHaveBeenCalledWith(expect.any(Object), 'dropped invalid method message');
  });

  it('ignores a method message for an unknown session', () => {
    const { peer, sent } = listener();
    peer.handleMessage({ type: 'method', from: 'ws/x', method: 'nosuchsession.resolve', args: [1] });
    expect(sent).toEqual([]);
  });

  it('never throws on random bytes', () => {
    const { peer } = listener({ warn: () => {} });
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 128 }), (bytes) => {
        peer.handleFrame(bytes);
      }),
      { numRuns: 1000 },
    );
  });

  it('never throws on random header and body maps', () => {
    const { peer } = listener({ warn: () => {} });
    const value = fc.oneof(fc.string(), fc.integer(), fc.constant(null), fc.boolean(), fc.uint8Array({ maxLength: 4 }));
    const field = fc.oneof(fc.constant('method'), fc.string({ maxLength: 12 }));
    const map = fc.dictionary(fc.constantFrom('type', 'from', 'to', 'method', 'session', 'args', 'promise', 't', 'with_kwargs'), fc.oneof(value, field, fc.array(value, { maxLength: 3 })));
    fc.assert(
      fc.property(map, map, (main, extra) => {
        peer.handleFrame(encodeFrame({ ...main, type: main.type ?? 'method' }, extra));
      }),
      { numRuns: 500 },
    );
  });
});
