import { afterEach, describe, expect, it, vi } from 'vitest';
import { MycelError, type MycelClient } from '@mycel/client';
import { connectTestClient } from '../helpers/clients.js';
import { startTestHub } from '../helpers/hub.js';
import { startProcess, type TestProcess } from '../helpers/process.js';

interface Victim {
  echo(x: unknown): unknown;
  hang(): never;
  slow(ms: number): string;
}

const cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  await Promise.all(cleanup.splice(0).map((f) => f()));
});

function startWorker(url: string, id: string): TestProcess {
  const worker = startProcess('test/fixtures/worker-process.ts', [], { MYCEL_SERVER_URL: url, WORKER_ID: id });
  cleanup.push(async () => {
    worker.child.kill('SIGCONT');
    await worker.kill();
  });
  return worker;
}

const connect = connectTestClient;

describe('a worker killed with SIGKILL', () => {
  it('leaves the registry at once, tells subscribers, and fails calls in flight and later ones at once', async () => {
    await using hub = await startTestHub();
    const worker = startWorker(hub.url, 'doomed');
    await worker.waitForLine(/^ready public\/doomed$/);
    const caller = await connect(hub.url, { methodTimeoutMs: 60_000 });
    const events: Array<{ type: string; data: unknown }> = [];
    caller.on('service_removed', (e) => events.push({ type: e.type, data: e.data }));
    caller.on('client_disconnected', (e) => events.push({ type: e.type, data: e.data }));
    await caller.subscribe(['service_removed', 'client_disconnected']);
    const victim = await caller.getService<Victim>('victim');
    expect(await victim.echo('alive')).toBe('alive');

    const inFlight = victim.hang();
    const settled = inFlight.catch((e: unknown) => e);
    await vi.waitFor(() => expect(hub.inFlightTo('public/doomed')).toBe(1));
    await worker.kill('SIGKILL');

    // Rejected long before the 60 s method timeout: the hub answers for the dead peer.
    const error = (await settled) as MycelError;
    expect(error).toBeInstanceOf(MycelError);
    expect(error.code).toBe('CONNECTION_CLOSED');
    expect(error.message).toContain('public/doomed');
    expect(hub.registry.list({ clientId: 'doomed' })).toEqual([]);
    await vi.waitFor(() => expect(events.map((e) => e.type)).toEqual(['service_removed', 'client_disconnected']));
    expect(events[1]?.data).toEqual({ id: 'doomed', workspace: 'public' });

    const later = (await victim.echo('anyone?').catch((e: unknown) => e)) as MycelError;
    expect(later.code).toBe('CONNECTION_CLOSED');
    expect(later.message).toBe('peer "public/doomed" is not connected');
    await expect(caller.getService('victim')).rejects.toThrow('service "victim" not found');
  });

  it('rejects every one of many concurrent calls at once', async () => {
    await using hub = await startTestHub();
    const worker = startWorker(hub.url, 'doomed2');
    await worker.waitForLine(/^ready /);
    const caller = await connect(hub.url, { methodTimeoutMs: 60_000 });
    const victim = await caller.getService<Victim>('victim');
    const calls = Array.from({ length: 10 }, () => victim.hang().catch((e: unknown) => e));
    await vi.waitFor(() => expect(hub.inFlightTo('public/doomed2')).toBe(10));
    await worker.kill('SIGKILL');
    const errors = (await Promise.all(calls)) as MycelError[];
    expect(errors.map((e) => e.code)).toEqual(Array(10).fill('CONNECTION_CLOSED'));
  });
});

describe('a frozen worker (SIGSTOP)', () => {
  it('is detected by pings and cleaned up within the configured bound', async () => {
    await using hub = await startTestHub({ pingIntervalMs: 200 });
    const worker = startWorker(hub.url, 'frozen');
    await worker.waitForLine(/^ready /);
    const caller = await connect(hub.url, { methodTimeoutMs: 60_000 });
    const victim = await caller.getService<Victim>('victim');
    const settled = victim.hang().catch((e: unknown) => e);
    await vi.waitFor(() => expect(hub.inFlightTo('public/frozen')).toBe(1));
    worker.child.kill('SIGSTOP');
    // Two ping intervals at most; the wait below only bounds the test, the hub does the detecting.
    const error = (await settled) as MycelError;
    expect(error.code).toBe('CONNECTION_CLOSED');
    expect(hub.clients.has('public/frozen')).toBe(false);
    expect(hub.registry.list({ clientId: 'frozen' })).toEqual([]);
  });
});

describe('a slow worker', () => {
  it('keeps a long call alive with heartbeats past the method timeout', async () => {
    await using hub = await startTestHub();
    const worker = startWorker(hub.url, 'sloth');
    await worker.waitForLine(/^ready /);
    const caller = await connect(hub.url, { methodTimeoutMs: 400 });
    const victim = await caller.getService<Victim>('victim');
    // 1.2 s of work against a 400 ms timeout: heartbeats every 200 ms keep the caller waiting.
    expect(await victim.slow(1200)).toBe('slept 1200');
  });

  it('times out a call whose worker never answers nor heartbeats', async () => {
    await using hub = await startTestHub({ pingIntervalMs: 60_000 });
    const worker = startWorker(hub.url, 'mute');
    await worker.waitForLine(/^ready /);
    const caller = await connect(hub.url, { methodTimeoutMs: 300 });
    const victim = await caller.getService<Victim>('victim');
    worker.child.kill('SIGSTOP');
    const error = (await victim.echo('hello?').catch((e: unknown) => e)) as MycelError;
    expect(error.code).toBe('TIMEOUT');
    expect(error.message).toMatch(/call "services\.victim\.echo" to "public\/mute" timed out after 300ms/);
  });
});
