/** Calls in flight: a fixed number of calls kept outstanding at all times. */
import { percentile, timeMs } from '../stats.mjs';

/**
 * Makes `calls` `echo` calls with `inFlight` of them outstanding at any moment (each lane starts
 * its next call when its previous one answers), after `warmup` calls done the same way.
 * @param {(value: unknown) => Promise<unknown>} echo
 * @param {{ inFlight: number, calls: number, warmup: number }} options
 * @returns {Promise<{ callsPerS: number, p99Ms: number, p50Ms: number }>}
 */
export async function measureConcurrent(echo, { inFlight, calls, warmup }) {
  await runLanes(echo, inFlight, warmup, []);
  const latencies = [];
  const total = await timeMs(() => runLanes(echo, inFlight, calls, latencies));
  return { callsPerS: (calls / total) * 1000, p99Ms: percentile(latencies, 99), p50Ms: percentile(latencies, 50) };
}

async function runLanes(echo, inFlight, calls, latencies) {
  let started = 0;
  const lane = async () => {
    while (started < calls) {
      const i = started++;
      latencies.push(await timeMs(() => echo(i)));
    }
  };
  await Promise.all(Array.from({ length: inFlight }, lane));
}
