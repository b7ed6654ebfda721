/**
 * Group "balancing" (Mycel hub + @mycel/client only): what choosing per call costs and buys.
 * Each round starts a fresh hub, worker process and caller process per measure.
 *
 * - `balanced-concurrent`: 32 calls in flight through a `balance:round_robin` proxy over one
 *   instance against a pinned proxy to the same instance, alternated; the ratio of calls/s.
 * - `balanced-herd`: 100 callers call at once over 20 idle instances with
 *   `balance:least_inflight`: the largest share of calls any instance got over the fair share.
 * - `queueing`: ten one-at-a-time workers, one ten times slower, offered 70 % of the fleet's
 *   capacity as Poisson arrivals from ten callers: mean and p99 latency per mode, and for
 *   pinned `select:min:get_load` proxies (one selection per caller, as Hypha does).
 */
import { startRole } from '../roles/role.mjs';
import { median } from '../stats.mjs';

/** The measures this group runs. */
export const BALANCING_MEASURES = ['balanced-concurrent', 'balanced-herd', 'queueing'];

/** The modes the queueing measure compares, by metric name. */
export const QUEUEING_MODES = {
  round_robin: 'balance:round_robin',
  random: 'balance:random',
  least_inflight: 'balance:least_inflight',
  p2c: 'balance:p2c',
  least_latency: 'balance:least_latency',
  pinned_select_min: 'select:min:get_load',
};

/**
 * One round of the balancing measures; `undefined` params skip a measure.
 * @param {{ 'balanced-concurrent'?: object, 'balanced-herd'?: object, queueing?: object }} params
 * @param {{ hubExecArgv: string[] }} options
 * @returns {Promise<{ metrics: Record<string, number>, errors: Record<string, string> }>}
 */
export async function runBalancingRound(params, { hubExecArgv }) {
  const metrics = {};
  const errors = {};
  if (params['balanced-concurrent']) Object.assign(metrics, await withFleet(hubExecArgv, (f) => balancedConcurrent(f, params['balanced-concurrent'])));
  if (params['balanced-herd']) Object.assign(metrics, await withFleet(hubExecArgv, (f) => herd(f, params['balanced-herd'])));
  if (params.queueing) Object.assign(metrics, await withFleet(hubExecArgv, (f) => queueing(f, params.queueing, errors)));
  return { metrics, errors };
}

/** Runs `fn` with a fresh hub, worker process and caller process, and stops them after. */
async function withFleet(hubExecArgv, fn) {
  const roles = [];
  try {
    const hub = await startRole('hub', ['mycel'], { execArgv: hubExecArgv });
    roles.push(hub);
    const workers = await startRole('balanced-workers', []);
    roles.push(workers);
    const callers = await startRole('balanced-callers', []);
    roles.push(callers);
    return await fn({ url: hub.ready.url, workers, callers });
  } finally {
    for (const role of roles.reverse()) await role.stop();
  }
}

async function balancedConcurrent({ url, workers, callers }, { inFlight, calls, warmup, repeats }) {
  await workers.request('connect', { url, workers: [{ clientId: 'echo-worker', serviceId: 'echo' }] });
  await callers.request('connect', { url, count: 1, prefix: 'caller-' });
  const runs = await callers.request('concurrent', { serviceId: 'echo', options: { inFlight, calls, warmup }, repeats });
  const pinned = median(runs.pinned);
  const balanced = median(runs.balanced);
  return {
    'balancedConcurrent.pinnedCallsPerS': pinned,
    'balancedConcurrent.balancedCallsPerS': balanced,
    'balancedConcurrent.ratio': balanced / pinned,
  };
}

async function herd({ url, workers, callers }, { instances, callers: count, serviceMs, herds }) {
  const plans = Array.from({ length: instances }, (_, i) => ({ clientId: `herd-${i}`, serviceId: 'herd', serviceMs }));
  await workers.request('connect', { url, workers: plans });
  await callers.request('connect', { url, count, prefix: 'herd-caller-' });
  await callers.request('prepare', { serviceId: 'herd', mode: 'balance:least_inflight' });
  const ratios = [];
  for (let h = 0; h < herds; h++) {
    const served = await callers.request('herd', { calls: 1 });
    const counts = new Map();
    for (const who of served) counts.set(who, (counts.get(who) ?? 0) + 1);
    ratios.push(Math.max(...counts.values()) / (served.length / instances));
  }
  return { 'balancedHerd.maxShareRatio': median(ratios) };
}

async function queueing({ url, workers, callers }, { fastMs, slowFactor, instances, load, callers: count, durationMs, warmupMs }, errors) {
  const plans = Array.from({ length: instances }, (_, i) => ({
    clientId: `queue-${i}`,
    serviceId: 'queue',
    serviceMs: i === 0 ? fastMs * slowFactor : fastMs,
  }));
  await workers.request('connect', { url, workers: plans });
  await callers.request('connect', { url, count, prefix: 'queue-caller-', methodTimeoutMs: 120_000 });
  const capacityPerS = (instances - 1) * (1000 / fastMs) + 1000 / (fastMs * slowFactor);
  const metrics = { 'queueing.offeredPerS': capacityPerS * load };
  for (const [name, mode] of Object.entries(QUEUEING_MODES)) {
    try {
      await callers.request('prepare', { serviceId: 'queue', mode });
      const result = await callers.request('openLoop', { ratePerS: capacityPerS * load, durationMs, warmupMs });
      metrics[`queueing.${name}.meanMs`] = result.meanMs;
      metrics[`queueing.${name}.p99Ms`] = result.p99Ms;
      if (result.failed > 0) errors[`queueing ${name}`] = `${result.failed} calls failed`;
    } catch (error) {
      errors[`queueing ${name}`] = (error instanceof Error ? error.message : String(error)).split('\n')[0];
    }
  }
  return metrics;
}
