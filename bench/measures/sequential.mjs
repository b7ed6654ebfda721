/** Sequential calls: one call at a time, each waiting for the previous answer. */
import { percentile, timeMs } from '../stats.mjs';

/**
 * Makes `calls` sequential `echo` calls of a small value after `warmup` unmeasured ones.
 * @param {(value: unknown) => Promise<unknown>} echo
 * @param {{ calls: number, warmup: number }} options
 * @returns {Promise<{ p50Ms: number, p99Ms: number, callsPerS: number }>}
 */
export async function measureSequential(echo, { calls, warmup }) {
  for (let i = 0; i < warmup; i++) await echo(i);
  const latencies = new Array(calls);
  const total = await timeMs(async () => {
    for (let i = 0; i < calls; i++) latencies[i] = await timeMs(() => echo(i));
  });
  return { p50Ms: percentile(latencies, 50), p99Ms: percentile(latencies, 99), callsPerS: (calls / total) * 1000 };
}
