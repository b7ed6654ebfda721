/**
 * The status of a workspace per service and instance: over HTTP (`GET /{ws}/status`), over the
 * manager's RPC (`get_status`), as a stream of server-sent events, and through `mycel status`
 * and `mycel watch` run as child processes.
 */
import { describe, expect, it, onTestFinished, vi } from 'vitest';
import { withParamNames, type InstanceStatus, type WorkspaceStatus } from '@mycel/protocol';
import { runCli } from '../helpers/cli.js';
import { connectTestClient } from '../helpers/clients.js';
import { startTestHub } from '../helpers/hub.js';

type Instance = InstanceStatus;
type Status = WorkspaceStatus;

/** Two workers of `math`; `w1` gets 6 calls (one fails), `w2` gets 2. */
async function busyHub() {
  const hub = await startTestHub();
  onTestFinished(() => hub.close());
  for (const id of ['w1', 'w2']) {
    const worker = await connectTestClient(hub.url, { client_id: id });
    await worker.registerService({
      id: 'math',
      config: { visibility: 'public' },
      add: withParamNames((a: number, b: number) => a + b, ['a', 'b']),
      fail: () => {
        throw new Error('no');
      },
      get_load: () => (id === 'w1' ? 1 : 2),
    });
  }
  const caller = await connectTestClient(hub.url);
  const w1 = await caller.getService<{ add(a: number, b: number): Promise<number>; fail(): Promise<void> }>('w1:math');
  const w2 = await caller.getService<{ add(a: number, b: number): Promise<number> }>('w2:math');
  for (let i = 0; i < 5; i++) await w1.add(i, i);
  await expect(w1.fail()).rejects.toThrow('no');
  for (let i = 0; i < 2; i++) await w2.add(i, i);
  // A select: probe round leaves each instance's last value.
  await caller.getService('math', { mode: 'select:min:get_load' });
  return { hub, caller };
}

function byClient(status: Status): Record<string, Instance> {
  return Object.fromEntries((status.services.find((s) => s.id === 'math')?.instances ?? []).map((i) => [i.client_id, i]));
}

describe('workspace status', () => {
  it('reports per instance calls, errors, success rate, percentiles, share and sparkline points', async () => {
    const { hub } = await busyHub();
    const response = await fetch(`${hub.url}/public/status`);
    expect(response.status).toBe(200);
    const status = (await response.json()) as Status;
    expect(status).toMatchObject({ workspace: 'public', window_s: 60, states: ['up', 'draining'] });
    expect(status.services.map((s) => s.id)).toEqual(['math']);
    const { w1, w2 } = byClient(status);
    expect(w1).toMatchObject({ id: 'public/w1:math', state: 'up', in_flight: 0, calls: 6, errors: 1, recent_calls: 6 });
    expect(w2).toMatchObject({ id: 'public/w2:math', state: 'up', in_flight: 0, calls: 2, errors: 0, recent_calls: 2 });
    expect(w1!.success_rate).toBeCloseTo(5 / 6, 4);
    expect(w2!.success_rate).toBe(1);
    expect(w1!.share).toBe(0.75);
    expect(w2!.share).toBe(0.25);
    for (const i of [w1!, w2!]) {
      expect(i.p50_ms).toBeGreaterThanOrEqual(0);
      expect(i.p95_ms).toBeGreaterThanOrEqual(i.p50_ms!);
      expect(i.p99_ms).toBeGreaterThanOrEqual(i.p95_ms!);
      expect(i.latencies_ms).toHaveLength(i.calls);
    }
    expect(w1!.last_values.get_load).toMatchObject({ value: 1 });
    expect(w2!.last_values.get_load).toMatchObject({ value: 2 });
    const one = (await (await fetch(`${hub.url}/public/status?service=nothing`)).json()) as Status;
    expect(one.services).toEqual([]);
  });

  it('offers the same over the manager RPC (get_status)', async () => {
    const { hub, caller } = await busyHub();
    const manager = await caller.getService<{ get_status(service?: string): Promise<Status> }>('~');
    const overRpc = await manager.get_status();
    const overHttp = (await (await fetch(`${hub.url}/public/status`)).json()) as Status;
    const strip = (s: Status) => s.services.map((x) => ({ id: x.id, instances: x.instances.map((i) => [i.id, i.calls, i.errors, i.share]) }));
    expect(strip(overRpc)).toEqual(strip(overHttp));
    expect((await manager.get_status('math')).services.map((s) => s.id)).toEqual(['math']);
  });

  it('streams the status as server-sent events', async () => {
    const { hub } = await busyHub();
    const response = await fetch(`${hub.url}/public/status/stream`);
    expect(response.headers.get('content-type')).toBe('text/event-stream');
    const reader = response.body!.getReader();
    let text = '';
    while (!text.includes('\n\n')) text += new TextDecoder().decode((await reader.read()).value);
    await reader.cancel();
    const event = /^event: status\ndata: (.*)\n\n/.exec(text);
    expect(event).not.toBeNull();
    expect(byClient(JSON.parse(event![1]!) as Status).w1).toMatchObject({ calls: 6 });
  });

  it('is printed as a table by mycel status, filtered by service, and as JSON', async () => {
    const { hub } = await busyHub();
    const table = await runCli(['status', '--server-url', hub.url]);
    expect(table.stderr).toBe('');
    expect(table.code).toBe(0);
    const lines = table.stdout.split('\n');
    expect(lines[0]).toMatch(/^SERVICE\s+CLIENT\s+STATE\s+IN_FLIGHT\s+CALLS\s+ERRORS\s+SUCCESS\s+P50\s+P95\s+P99\s+SHARE$/);
    expect(lines[1]).toMatch(/^math\s+w1\s+up\s+0\s+6\s+1\s+83\.3%\s+\S+ms\s+\S+ms\s+\S+ms\s+75%$/);
    expect(lines[2]).toMatch(/^math\s+w2\s+up\s+0\s+2\s+0\s+100\.0%\s+\S+ms\s+\S+ms\s+\S+ms\s+25%$/);
    const missing = await runCli(['status', 'nothing', '--server-url', hub.url]);
    expect(missing).toMatchObject({ code: 0, stdout: 'no service "nothing" in workspace "public"\n' });
    const json = await runCli(['status', 'math', '--json', '--server-url', hub.url]);
    expect(byClient(JSON.parse(json.stdout) as Status).w2).toMatchObject({ calls: 2 });
  });

  it('is redrawn by mycel watch until its count', async () => {
    const { hub } = await busyHub();
    const watched = await runCli(['watch', '--count', '2', '--interval', '0.2', '--server-url', hub.url]);
    expect(watched.code).toBe(0);
    expect(watched.stdout.match(/^SERVICE\s+CLIENT/gm)).toHaveLength(2);
    expect(watched.stdout).toContain('workspace public');
  });

  it('counts a call in flight while it runs', async () => {
    const hub = await startTestHub();
    onTestFinished(() => hub.close());
    let release: () => void = () => {};
    const worker = await connectTestClient(hub.url, { client_id: 'slow' });
    await worker.registerService({ id: 'slow', config: { visibility: 'public' }, wait: () => new Promise<void>((r) => (release = r)) });
    const caller = await connectTestClient(hub.url);
    const slow = await caller.getService<{ wait(): Promise<void> }>('slow');
    const pending = slow.wait();
    await vi.waitFor(async () => {
      const status = (await (await fetch(`${hub.url}/public/status`)).json()) as Status;
      expect(status.services[0]?.instances[0]?.in_flight).toBe(1);
    });
    release();
    await pending;
    const status = (await (await fetch(`${hub.url}/public/status`)).json()) as Status;
    expect(status.services[0]?.instances[0]).toMatchObject({ in_flight: 0, calls: 1 });
  });
});
