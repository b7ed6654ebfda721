/**
 * Role: Mycel SDK callers for the balancing measures: 32 calls in flight through a pinned and a
 * `balance:round_robin` proxy, a herd of callers calling at once, and an open-loop (Poisson)
 * load for the queueing measure.
 * Usage (through role.mjs): balanced-callers.mjs
 */
import { connectToServer } from '@mycel/client';
import { measureConcurrent } from '../measures/concurrent.mjs';
import { mapLimited } from '../map-limited.mjs';
import { percentile } from '../stats.mjs';
import { serveRole } from './role.mjs';

/** @type {import('@mycel/client').MycelClient[]} */
const callers = [];
/** Proxies prepared by `prepare`, one per caller. */
let proxies = [];

serveRole(
  { pid: process.pid },
  {
    /** @param {{ url: string, count: number, prefix: string, methodTimeoutMs?: number }} args */
    async connect({ url, count, prefix, methodTimeoutMs }) {
      const ids = Array.from({ length: count }, (_, i) => `${prefix}${i}`);
      await mapLimited(ids, 16, async (clientId) =>
        callers.push(await connectToServer({ server_url: url, client_id: clientId, ...(methodTimeoutMs && { methodTimeoutMs }) })),
      );
      return callers.length;
    },

    /**
     * 32 in flight through a pinned proxy and through a `balance:round_robin` proxy to the same
     * one instance, `repeats` times each, in the order A B B A A B ... so that neither always
     * runs first (warmer code, a quieter machine).
     */
    async concurrent({ serviceId, options, repeats }) {
      const proxies = {
        pinned: await callers[0].getService(serviceId),
        balanced: await callers[0].getService(serviceId, { mode: 'balance:round_robin' }),
      };
      const runs = { pinned: [], balanced: [] };
      for (let i = 0; i < repeats; i++) {
        const order = i % 2 === 0 ? ['pinned', 'balanced'] : ['balanced', 'pinned'];
        for (const kind of order) runs[kind].push((await measureConcurrent((v) => proxies[kind].echo(v), options)).callsPerS);
      }
      return runs;
    },

    /** Every caller gets a proxy with `mode` (one at a time, so no first-use cost lands in a herd). */
    async prepare({ serviceId, mode }) {
      proxies = [];
      for (const caller of callers) proxies.push(await caller.getService(serviceId, mode ? { mode } : {}));
      // One untimed call each warms the path.
      for (const proxy of proxies) await proxy.echo(0);
      return proxies.length;
    },

    /** Every caller calls `work()` `calls` times at once; resolves with who served each call. */
    herd: ({ calls }) => Promise.all(proxies.flatMap((proxy) => Array.from({ length: calls }, () => proxy.work()))),

    /**
     * Open-loop load: calls arrive at exponential intervals (mean `1000 / ratePerS` ms) for
     * `durationMs`, spread over the prepared proxies in turn, whether or not earlier calls have
     * answered. Latency is from the planned arrival to the answer.
     */
    async openLoop({ ratePerS, durationMs, warmupMs }) {
      const latencies = [];
      const pending = [];
      const start = performance.now();
      let next = start;
      let i = 0;
      let failed = 0;
      await new Promise((resolve) => {
        const tick = () => {
          const now = performance.now();
          while (next <= now && next - start < durationMs) {
            const planned = next;
            const proxy = proxies[i++ % proxies.length];
            pending.push(
              proxy.work().then(
                () => {
                  if (planned - start >= warmupMs) latencies.push(performance.now() - planned);
                },
                () => {
                  failed++;
                },
              ),
            );
            next += -Math.log(1 - Math.random()) * (1000 / ratePerS);
          }
          if (next - start >= durationMs) resolve();
          else setTimeout(tick, Math.max(0, Math.min(5, next - performance.now())));
        };
        tick();
      });
      await Promise.all(pending);
      const mean = latencies.reduce((a, b) => a + b, 0) / latencies.length;
      return { meanMs: mean, p99Ms: percentile(latencies, 99), calls: latencies.length, failed };
    },

    async stop() {
      await Promise.allSettled(callers.map((caller) => caller.disconnect()));
    },
  },
);
