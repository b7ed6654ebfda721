import { afterEach, describe, expect, it, vi } from 'vitest';
import { WebSocket } from 'ws';
import { MycelError, type MycelClient, type WebSocketConstructor } from '@mycel/client';
import { connectTestClient } from '../helpers/clients.js';
import { startTestHub } from '../helpers/hub.js';

const cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  await Promise.all(cleanup.splice(0).map((f) => f()));
});

function connect(url: string, options: Parameters<typeof connectTestClient>[1] = {}): Promise<MycelClient> {
  return connectTestClient(url, { reconnect: false, ...options });
}

describe('limit: calls in flight to one client', () => {
  it('admits calls up to the limit and refuses the next one at once', async () => {
    await using hub = await startTestHub({ maxInFlightPerClient: 3 });
    const worker = await connect(hub.url, { client_id: 'busy' });
    await worker.registerService({ id: 'hold', config: { visibility: 'public' }, wait: () => new Promise(() => {}) });
    const caller = await connect(hub.url, { methodTimeoutMs: 60_000 });
    const hold = await caller.getService<{ wait(): void }>('hold');
    const admitted = [hold.wait(), hold.wait(), hold.wait()].map((p) => p.catch((e: unknown) => e));
    await vi.waitFor(() => expect(hub.inFlightTo('public/busy')).toBe(3));
    const refused = (await hold.wait().catch((e: unknown) => e)) as MycelError;
    expect(refused.code).toBe('LIMIT_EXCEEDED');
    expect(refused.message).toBe('peer "public/busy" has too many calls in flight (limit 3)');
    await worker.disconnect();
    expect(((await Promise.all(admitted)) as MycelError[]).map((e) => e.code)).toEqual([
      'CONNECTION_CLOSED',
      'CONNECTION_CLOSED',
      'CONNECTION_CLOSED',
    ]);
  });
});

describe('limit: services per client', () => {
  it('accepts services up to the limit, refuses one more, and still allows replacing one', async () => {
    await using hub = await startTestHub({ maxServicesPerClient: 2 });
    const worker = await connect(hub.url, { client_id: 'many' });
    await worker.registerService({ id: 's1', f: () => 1 });
    await worker.registerService({ id: 's2', f: () => 2 });
    const error = (await worker.registerService({ id: 's3', f: () => 3 }).catch((e: unknown) => e)) as MycelError;
    expect(error.code).toBe('LIMIT_EXCEEDED');
    expect(error.message).toBe('too many services for "public/many" (limit 2)');
    expect(hub.registry.get('public/many:s3')).toBeUndefined();
    await worker.registerService({ id: 's2', f: () => 'two' }, { overwrite: true });
    const caller = await connect(hub.url);
    expect(await (await caller.getService<{ f(): unknown }>('many:s2')).f()).toBe('two');
  });
});

describe('limit: messages per second per client', () => {
  it('slows an over-rate client down without dropping it or its messages, and not others', async () => {
    await using hub = await startTestHub({ maxMessagesPerSecond: 50, messageBurst: 10 });
    const flooder = await connect(hub.url);
    const bystander = await connect(hub.url);
    const started = Date.now();
    let flooderDone = 0;
    const flood = Array.from({ length: 60 }, (_, i) => flooder.echo(i).then((v) => (flooderDone++, v)));
    const bystanderAnswer = await bystander.echo('unaffected');
    expect(bystanderAnswer).toBe('unaffected');
    expect(flooderDone).toBeLessThan(60);
    expect(await Promise.all(flood)).toEqual(Array.from({ length: 60 }, (_, i) => i));
    // 60 messages at 50/s after a burst of 10 cannot all pass in less than a second.
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    expect(flooder.isConnected).toBe(true);
  });
});

describe('limit: a client that stops reading', () => {
  it('is dropped once the hub has queued more than the limit for it; others go on', async () => {
    await using hub = await startTestHub({ maxBufferedBytes: 1024 * 1024 });
    const sockets: WebSocket[] = [];
    class RecordingWebSocket extends WebSocket {
      constructor(url: string) {
        super(url);
        sockets.push(this);
      }
    }
    const sleeper = await connect(hub.url, {
      client_id: 'sleeper',
      WebSocket: RecordingWebSocket as unknown as WebSocketConstructor,
    });
    await sleeper.registerService({ id: 'sink', config: { visibility: 'public' }, take: (b: Uint8Array) => b.length });
    const caller = await connect(hub.url, { methodTimeoutMs: 60_000 });
    const sink = await caller.getService<{ take(b: Uint8Array): number }>('sink');
    expect(await sink.take(new Uint8Array(10))).toBe(10);

    // Stop reading the sleeper's socket: the kernel buffers fill, then the hub's queue grows.
    (sockets[0] as unknown as { _socket: { pause(): void } })._socket.pause();
    const payload = new Uint8Array(1024 * 1024);
    const calls = Array.from({ length: 48 }, () => sink.take(payload).catch((e: unknown) => e));
    const results = await Promise.all(calls);
    expect(results.some((r) => r instanceof MycelError && r.code === 'CONNECTION_CLOSED')).toBe(true);
    await vi.waitFor(() => expect(hub.clients.has('public/sleeper')).toBe(false));
    expect(hub.registry.get('public/sleeper:sink')).toBeUndefined();
    expect(await caller.echo('still served')).toBe('still served');
  }, 30_000);
});
