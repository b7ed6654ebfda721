/**
 * What one client must not be able to do to the hub or to others: fill a worker's in-flight
 * slots, fill the manager's tables, store huge metadata, fake the hub's events, or keep the hub
 * from shutting down.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { connectToServer, MycelError, type MycelClient } from '@mycel/client';
import { encodeFrame } from '@mycel/protocol';
import { connectTestClient } from '../helpers/clients.js';
import { startTestHub } from '../helpers/hub.js';
import { RawSocket } from '../helpers/raw-socket.js';

const cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  await Promise.all(cleanup.splice(0).map((f) => f()));
});

function connect(url: string, options: Parameters<typeof connectTestClient>[1] = {}): Promise<MycelClient> {
  return connectTestClient(url, { reconnect: false, ...options });
}

/** Reads binary frames until the one whose method is `method`. */
async function frameWithMethod(socket: RawSocket, method: string) {
  for (;;) {
    const frame = await socket.nextBinary();
    if (frame.main.method === method) return frame;
  }
}

describe('one caller against one worker', () => {
  it('can hold only its own share of the worker in-flight slots', async () => {
    await using hub = await startTestHub({ maxInFlightPerCaller: 2 });
    const worker = await connect(hub.url, { client_id: 'w' });
    await worker.registerService({ id: 'svc', config: { visibility: 'public' }, hold: () => new Promise(() => {}), ok: () => 'ok' });
    const { socket: hog } = await RawSocket.connect(hub.url, 'hog');
    // Calls with a session but no promise: the worker never answers them.
    for (const session of ['s1', 's2', 's3']) {
      hog.ws.send(encodeFrame({ type: 'method', to: 'public/w', method: 'services.svc.hold', session }, { args: [] }));
    }
    const refused = await frameWithMethod(hog, 's3.reject');
    expect(refused.extra?.args).toEqual([
      { _rtype: 'error', _rvalue: 'too many calls in flight from "public/hog" to "public/w" (limit 2)', _rcode: 'LIMIT_EXCEEDED' },
    ]);
    const caller = await connect(hub.url);
    expect(await (await caller.getService<{ ok(): string }>('svc')).ok()).toBe('ok');
  });
});

describe('the manager', () => {
  it('runs at most 32 outgoing operations at once for one client', async () => {
    await using hub = await startTestHub();
    await RawSocket.connect(hub.url, 'silent');
    const { socket: greedy } = await RawSocket.connect(hub.url, 'greedy');
    for (let i = 0; i <= 32; i++) {
      greedy.ws.send(
        encodeFrame(
          { type: 'method', to: hub.managerId, method: 'services.default.ping', session: `p${i}` },
          { args: ['silent', 60], promise: '*' },
        ),
      );
    }
    const refused = await frameWithMethod(greedy, 'p32.reject');
    expect(refused.extra?.args).toEqual([
      { _rtype: 'error', _rvalue: 'too many manager requests at once from "public/greedy" (limit 32)', _rcode: 'LIMIT_EXCEEDED' },
    ]);
    const other = await connect(hub.url);
    expect(await other.echo('served')).toBe('served');
  });

  it('refuses service info larger than 64 KiB', async () => {
    await using hub = await startTestHub();
    const client = await connect(hub.url, { client_id: 'verbose' });
    const error = (await client
      .registerService({ id: 'big', docs: 'x'.repeat(100_000), f: () => 1 })
      .catch((e: unknown) => e)) as MycelError;
    expect(error.code).toBe('LIMIT_EXCEEDED');
    expect(error.message).toBe('service info of "public/verbose:big" is larger than 65536 bytes');
    expect(hub.registry.get('public/verbose:big')).toBeUndefined();
  });
});

describe('events only the hub may send', () => {
  it('are refused when a client sends them', async () => {
    await using hub = await startTestHub();
    const victim = await connect(hub.url, { client_id: 'v' });
    const seen: string[] = [];
    victim.on('client_disconnected', (e) => seen.push(JSON.stringify(e.data)));
    victim.on('closed', () => seen.push('closed'));
    await victim.subscribe('client_disconnected');
    const { socket: forger } = await RawSocket.connect(hub.url, 'forger');
    forger.ws.send(encodeFrame({ type: 'client_disconnected', to: 'public/v', data: { id: 'w', workspace: 'public' } }));
    forger.ws.send(encodeFrame({ type: 'closed', to: 'public/v' }));
    forger.ws.send(encodeFrame({ type: 'client_disconnected', to: '*', data: { id: 'w', workspace: 'public' } }));
    await forger.ping();
    // A custom event still goes through, after the forged ones: once it arrived, they would have.
    const custom: unknown[] = [];
    victim.on('my_event', (e) => custom.push(e.data));
    forger.ws.send(encodeFrame({ type: 'my_event', to: 'public/v', data: 42 }));
    await vi.waitFor(() => expect(custom).toEqual([42]));
    expect(seen).toEqual([]);
    expect(victim.isConnected).toBe(true);
  });
});

describe('the SDK', () => {
  it('comes back after a drop even when one of its subscriptions had been refused', async () => {
    await using hub = await startTestHub();
    const client = await connectToServer({ server_url: hub.url, client_id: 'stubborn' });
    cleanup.push(() => client.disconnect());
    await expect(client.subscribe('x'.repeat(200))).rejects.toThrow('event types must be');
    await client.subscribe('service_added');
    let reconnected = 0;
    client.on('reconnected', () => reconnected++);
    hub.clients.get('public/stubborn')?.socket.terminate();
    await vi.waitFor(() => expect(reconnected).toBe(1));
    expect(await client.echo('back')).toBe('back');
    expect(hub.clients.get('public/stubborn')?.subscriptions).toEqual(new Set(['service_added']));
  });
});

describe('hub shutdown', () => {
  it('finishes even when a peer never completes the close handshake and another connects meanwhile', async () => {
    const hub = await startTestHub();
    const { socket: stuck } = await RawSocket.connect(hub.url, 'stuck');
    // Stop reading: the close frame is never answered.
    (stuck.ws as unknown as { _socket: { pause(): void } })._socket.pause();
    const closing = hub.close();
    const late = await RawSocket.open(hub.url).catch((e: unknown) => e);
    if (late instanceof RawSocket) await late.closed;
    await closing;
    expect(hub.clients.size).toBe(0);
  });
});
