/**
 * Rolling restart under load: three worker processes behind `balance:least_inflight`, a caller
 * keeping 32 calls in flight; each worker in turn gets SIGTERM (the SDK's `drainOnSigterm`
 * drains it, then it exits) and a new process takes its place. No call fails.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { connectToServer, type MycelClient } from '@mycel/client';
import { startTestHub, type TestHub } from '../helpers/hub.js';
import { startProcess, type TestProcess } from '../helpers/process.js';

interface Victim {
  slow(ms: number): Promise<string>;
}

const cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  await Promise.all(cleanup.splice(0).map((f) => f()));
});

function startWorker(hub: TestHub, id: string): TestProcess {
  const worker = startProcess('test/fixtures/worker-process.ts', [], { MYCEL_SERVER_URL: hub.url, WORKER_ID: id, DRAIN_ON_SIGTERM: '1' });
  cleanup.push(() => worker.kill());
  return worker;
}

/** Keeps `width` calls in flight until stopped; counts answers and keeps every failure. */
function keepLoad(proxy: Victim, width: number) {
  let isStopped = false;
  let ok = 0;
  const failures: unknown[] = [];
  const lane = async (): Promise<void> => {
    while (!isStopped) {
      try {
        await proxy.slow(5);
        ok++;
      } catch (error) {
        failures.push(error);
      }
    }
  };
  const lanes = Array.from({ length: width }, lane);
  return {
    ok: () => ok,
    failures,
    async stop() {
      isStopped = true;
      await Promise.all(lanes);
    },
  };
}

describe('rolling restart', () => {
  it('restarts three workers one by one under 32 calls in flight with no failed call', { timeout: 120_000 }, async () => {
    const hub = await startTestHub();
    cleanup.push(() => hub.close());
    const workers = ['w1', 'w2', 'w3'].map((id) => startWorker(hub, `${id}-0`));
    await Promise.all(workers.map((w) => w.waitForLine(/^ready /, 30_000)));
    const caller: MycelClient = await connectToServer({ server_url: hub.url, client_id: 'caller' });
    cleanup.push(() => caller.disconnect());
    const proxy = await caller.getService<Victim>('victim', { mode: 'balance:least_inflight' });
    const load = keepLoad(proxy, 32);
    cleanup.push(() => load.stop());

    const progress = async (calls: number): Promise<void> => {
      const target = load.ok() + calls;
      await vi.waitFor(() => expect(load.ok()).toBeGreaterThanOrEqual(target), { timeout: 30_000, interval: 20 });
    };
    await progress(200);
    for (let i = 0; i < workers.length; i++) {
      const old = workers[i] as TestProcess;
      old.child.kill('SIGTERM');
      await old.waitForLine(/^drained /, 30_000);
      expect(old.lines).toContain('drained completed');
      expect(await old.exited()).toEqual({ code: 0, signal: null });
      await progress(100);
      const next = startWorker(hub, `w${i + 1}-1`);
      workers[i] = next;
      await next.waitForLine(/^ready /, 30_000);
      // The new worker takes calls before the next one goes.
      await vi.waitFor(() => expect(hub.registry.get(`public/w${i + 1}-1:victim`)?.state.routed).toBeGreaterThan(10), {
        timeout: 30_000,
        interval: 20,
      });
    }
    await progress(200);
    await load.stop();
    expect(load.failures).toEqual([]);
    expect(load.ok()).toBeGreaterThan(800);
  });
});
