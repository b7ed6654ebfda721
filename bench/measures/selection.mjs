/** Selection: `getService` with `select:min:get_load`, timed end to end at the caller. */
import { median, percentile, timeMs } from '../stats.mjs';

/**
 * Runs `repeats` selections of `serviceId` one after another (after `warmup` unmeasured ones,
 * at least one) and checks each picked the instance with the lowest load.
 * @param {import('../systems/system.mjs').BenchCaller} caller
 * @param {{ serviceId: string, instances: string[], lowest?: string[], repeats: number, warmup?: number }} options
 *   `lowest`: the client ids whose load is the minimum (any of them is a right answer)
 * @returns {Promise<{ medianMs: number, p90Ms: number, pickedLowest: number }>}
 *   `pickedLowest`: the share of selections that chose a lowest-load instance
 */
export async function measureSelection(caller, { serviceId, instances, lowest, repeats, warmup = 1 }) {
  for (let i = 0; i < Math.max(1, warmup); i++) await caller.select(serviceId, instances);
  const times = [];
  let right = 0;
  for (let i = 0; i < repeats; i++) {
    let chosen = '';
    times.push(await timeMs(async () => (chosen = await caller.select(serviceId, instances))));
    if (!lowest || lowest.includes(chosen)) right++;
  }
  return { medianMs: median(times), p90Ms: percentile(times, 90), pickedLowest: right / repeats };
}
