/**
 * Health endpoints and Prometheus metrics of a real hub, read with Node's fetch.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it, onTestFinished, vi } from 'vitest';
import { withParamNames } from '@mycel/protocol';
import { serveHealth } from '../../packages/server/src/http/health-routes.js';
import { connectTestClient } from '../helpers/clients.js';
import { startTestHub } from '../helpers/hub.js';

/** The value of one sample line `name{labels} value` of a Prometheus text, or undefined. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    if (line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][\w:]*)(\{(.*)\})? (.+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const have = Object.fromEntries([...(match[3] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1], m[2]]));
    if (Object.entries(labels).every(([k, v]) => have[k] === v) && Object.keys(have).length === Object.keys(labels).length) {
      return Number(match[4]);
    }
  }
  return undefined;
}

describe('health endpoints', () => {
  it('answer 200 with a JSON detail while the hub runs', async () => {
    const hub = await startTestHub();
    onTestFinished(() => hub.close());
    await connectTestClient(hub.url);
    const live = await fetch(`${hub.url}/health/liveness`);
    expect(live.status).toBe(200);
    expect(await live.json()).toMatchObject({ status: 'OK' });
    const ready = await fetch(`${hub.url}/health/readiness`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ status: 'OK', clients: 1 });
  });

  it('answer 503 DOWN while the hub is shutting down or not ready yet', async () => {
    // The hub stops listening as it starts closing, so the DOWN answers are checked on the
    // routes themselves, behind a real HTTP server.
    let state: 'starting' | 'ready' | 'closing' = 'starting';
    const server = createServer((req, res) =>
      serveHealth(res, req.url ?? '/', {
        isClosing: () => state === 'closing',
        isReady: () => state !== 'starting',
        clients: () => 0,
        services: () => 0,
        uptimeMs: () => 1500,
      }),
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    onTestFinished(() => new Promise<void>((resolve) => server.close(() => resolve())));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const get = async (path: string) => {
      const response = await fetch(`${base}${path}`);
      return { status: response.status, body: (await response.json()) as Record<string, unknown> };
    };
    expect(await get('/health/liveness')).toEqual({ status: 200, body: { status: 'OK', uptime_s: 1.5 } });
    expect(await get('/health/readiness')).toEqual({ status: 503, body: { status: 'DOWN', detail: 'the hub is starting', uptime_s: 1.5 } });
    state = 'ready';
    expect((await get('/health/readiness')).status).toBe(200);
    state = 'closing';
    for (const path of ['/health/liveness', '/health/readiness']) {
      expect(await get(path)).toEqual({ status: 503, body: { status: 'DOWN', detail: 'the hub is shutting down', uptime_s: 1.5 } });
    }
  });
});

describe('GET /metrics', () => {
  it('serves Prometheus text with connections, frames, bytes, calls by outcome, latency, selections and process metrics', async () => {
    const hub = await startTestHub();
    onTestFinished(() => hub.close());
    const worker = await connectTestClient(hub.url, { client_id: 'w1' });
    await worker.registerService({
      id: 'math',
      config: { visibility: 'public' },
      add: withParamNames((a: number, b: number) => a + b, ['a', 'b']),
      fail: () => {
        throw new Error('no');
      },
      get_load: () => 1,
    });
    const caller = await connectTestClient(hub.url);
    const math = await caller.getService<{ add(a: number, b: number): Promise<number>; fail(): Promise<void> }>('math', {
      mode: 'select:min:get_load',
    });
    for (let i = 0; i < 5; i++) await math.add(i, 1);
    await expect(math.fail()).rejects.toThrow('no');

    const response = await fetch(`${hub.url}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await response.text();
    const instance = { workspace: 'public', service: 'math', instance: 'public/w1:math' };
    expect(sample(text, 'mycel_connections')).toBe(2);
    expect(sample(text, 'mycel_calls_total', { ...instance, outcome: 'ok' })).toBe(5);
    expect(sample(text, 'mycel_calls_total', { ...instance, outcome: 'error' })).toBe(1);
    expect(sample(text, 'mycel_calls_in_flight', instance)).toBe(0);
    expect(sample(text, 'mycel_call_duration_seconds_count', instance)).toBe(6);
    expect(sample(text, 'mycel_call_duration_seconds_bucket', { ...instance, le: '+Inf' })).toBe(6);
    expect(sample(text, 'mycel_selections_total', { mode: 'select:min' })).toBe(1);
    // One candidate: returned at once, no probe.
    expect(sample(text, 'mycel_probes_total', { result: 'answered' }) ?? 0).toBe(0);
    expect(sample(text, 'mycel_frames_received_total')).toBeGreaterThanOrEqual(6);
    expect(sample(text, 'mycel_received_bytes_total')).toBeGreaterThan(0);
    expect(sample(text, 'mycel_frames_sent_total')).toBeGreaterThanOrEqual(6);
    expect(sample(text, 'mycel_sent_bytes_total')).toBeGreaterThan(0);
    expect(text).toContain('process_cpu_user_seconds_total');
    expect(text).toContain('nodejs_eventloop_lag_seconds');
    // No per-call ids or function names in any label.
    expect(text).not.toMatch(/session|function="|fn="/);
  });

  it('counts probes of select: modes with several candidates', async () => {
    const hub = await startTestHub();
    onTestFinished(() => hub.close());
    for (const id of ['a', 'b']) {
      const worker = await connectTestClient(hub.url, { client_id: id });
      await worker.registerService({ id: 'svc', config: { visibility: 'public' }, get_load: () => (id === 'a' ? 1 : 'busy') });
    }
    const caller = await connectTestClient(hub.url);
    await caller.getService('svc', { mode: 'select:min:get_load' });
    const text = await (await fetch(`${hub.url}/metrics`)).text();
    expect(sample(text, 'mycel_probes_total', { result: 'answered' })).toBe(1);
    expect(sample(text, 'mycel_probes_total', { result: 'skipped' })).toBe(1);
  });

  it('labels calls per service only when instance labels are off, and keeps totals when an instance leaves', async () => {
    const hub = await startTestHub({ metricsInstanceLabels: false });
    onTestFinished(() => hub.close());
    const workers = [];
    for (const id of ['a', 'b']) {
      const worker = await connectTestClient(hub.url, { client_id: id });
      await worker.registerService({ id: 'svc', config: { visibility: 'public' }, ping: () => 'pong' });
      workers.push(worker);
    }
    const caller = await connectTestClient(hub.url);
    for (const id of ['a', 'b']) {
      const proxy = await caller.getService<{ ping(): Promise<string> }>(`${id}:svc`);
      await proxy.ping();
      await proxy.ping();
    }
    const service = { workspace: 'public', service: 'svc' };
    let text = await (await fetch(`${hub.url}/metrics`)).text();
    expect(sample(text, 'mycel_calls_total', { ...service, outcome: 'ok' })).toBe(4);
    expect(text).not.toContain('instance="');
    await workers[0]!.disconnect();
    await vi.waitFor(() => expect(hub.registry.query('svc', 'public')).toHaveLength(1));
    text = await (await fetch(`${hub.url}/metrics`)).text();
    expect(sample(text, 'mycel_calls_total', { ...service, outcome: 'ok' })).toBe(4);
  });

  it('is 404 when metrics are turned off', async () => {
    const hub = await startTestHub({ metrics: false });
    onTestFinished(() => hub.close());
    expect((await fetch(`${hub.url}/metrics`)).status).toBe(404);
  });
});
