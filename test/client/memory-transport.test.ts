/**
 * The SDK's session logic on an in-memory transport (no sockets): connecting through an injected
 * `openTransport`, registering and calling services, reconnecting with the token when the
 * transport drops, and giving up when the hub says it refused.
 */
import { describe, expect, it, onTestFinished } from 'vitest';
import { connectToServer, type ConnectOptions, type MycelClient } from '@mycel/client';
import { startMemoryHub, type MemoryHub } from '../helpers/memory-hub.js';

async function connect(hub: MemoryHub, clientId: string, options: Partial<ConnectOptions> = {}): Promise<MycelClient> {
  const client = await connectToServer({ openTransport: hub.openTransport, client_id: clientId, workspace: 'ws', ...options });
  onTestFinished(() => client.disconnect());
  return client;
}

describe('MycelClient on an in-memory transport', () => {
  it('connects through the given transport opener and takes its identity from the handshake', async () => {
    const hub = startMemoryHub();
    const client = await connect(hub, 'a');
    expect(client.isConnected).toBe(true);
    expect(client.peerId).toBe('ws/a');
    expect(client.config).toMatchObject({ workspace: 'ws', client_id: 'a', manager_id: 'manager-memory' });
    expect([...hub.services.keys()]).toEqual(['ws/a:built-in']);
  });

  it('registers a service that another client gets and calls', async () => {
    const hub = startMemoryHub();
    const worker = await connect(hub, 'w');
    await worker.registerService({ id: 'math', add: (a: number, b: number) => a + b });
    expect(hub.services.has('ws/w:math')).toBe(true);
    const caller = await connect(hub, 'c');
    const math = await caller.getService<{ add(a: number, b: number): Promise<number> }>('w:math');
    expect(await math.add(2, 3)).toBe(5);
  });

  it('reconnects with its reconnection token when the transport drops, and registers its services again', async () => {
    const hub = startMemoryHub();
    const worker = await connect(hub, 'w', { reconnect: { initialDelayMs: 1, maxDelayMs: 5 } });
    await worker.registerService({ id: 'math', add: (a: number, b: number) => a + b });
    const events: string[] = [];
    const registered = new Promise<unknown>((resolve) => worker.on('services_registered', resolve));
    worker.on('disconnected', () => events.push('disconnected'));
    worker.on('reconnected', () => events.push('reconnected'));
    hub.services.clear();
    hub.links[0]?.drop();
    expect(await registered).toMatchObject({ total: 2, registered: 2, failed: [] });
    expect(hub.links).toHaveLength(2);
    expect(hub.links[1]?.reconnectionToken).toBe('token-w-0');
    expect([...hub.services.keys()].sort()).toEqual(['ws/w:built-in', 'ws/w:math']);
    await expect.poll(() => events).toEqual(['disconnected', 'reconnected']);
    expect(worker.isConnected).toBe(true);
  });

  it('rejects a call in flight at once when its transport drops', async () => {
    const hub = startMemoryHub();
    const worker = await connect(hub, 'w');
    await worker.registerService({ id: 'slow', hang: () => new Promise(() => {}) });
    const caller = await connect(hub, 'c', { reconnect: false });
    const slow = await caller.getService<{ hang(): Promise<void> }>('w:slow');
    const pending = slow.hang();
    hub.links[1]?.drop();
    await expect(pending).rejects.toMatchObject({ code: 'CONNECTION_CLOSED' });
  });

  it('gives up after a hub error, and rejects later calls at once', async () => {
    const hub = startMemoryHub();
    const client = await connect(hub, 'a', { reconnect: { initialDelayMs: 1, maxDelayMs: 5 } });
    const closed = new Promise<{ reason: string }>((resolve) => client.on('closed', resolve as (e: unknown) => void));
    hub.links[0]?.sendText({ type: 'error', message: 'superseded' });
    hub.links[0]?.drop(1008, 'superseded');
    expect(await closed).toMatchObject({ reason: 'superseded' });
    expect(client.isConnected).toBe(false);
    expect(hub.links).toHaveLength(1);
    await expect(client.listServices()).rejects.toMatchObject({ code: 'CONNECTION_CLOSED' });
  });

  it('keeps a fresh reconnection token the hub sends', async () => {
    const hub = startMemoryHub();
    const client = await connect(hub, 'a', { reconnect: { initialDelayMs: 1, maxDelayMs: 5 } });
    hub.links[0]?.sendText({ type: 'reconnection_token', reconnection_token: 'fresh' });
    const back = new Promise((resolve) => client.on('reconnected', resolve));
    hub.links[0]?.drop();
    await back;
    expect(hub.links[1]?.reconnectionToken).toBe('fresh');
  });
});
