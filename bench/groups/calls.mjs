/**
 * Group "calls": sequential calls, 32 calls in flight and payload round trips, on a fresh hub,
 * one worker process (one worker serving `echo`) and one caller process per round and system.
 */
import { measureCpu } from '../cpu-time.mjs';
import { startRole } from '../roles/role.mjs';
import { median } from '../stats.mjs';

const SERVICE_ID = 'echo';
const WORKER_ID = 'echo-worker';

/** The measures this group runs. */
export const CALL_MEASURES = ['sequential', 'concurrent', 'payload'];

/**
 * Runs one round of the call measures for one system. Besides the measures' own figures it
 * reports the CPU time hub, worker and caller spent per call in the 32-in-flight measure.
 *
 * Sequential latency depends on where the scheduler puts the three processes on the cores (on
 * the 2-core machine a round's p50 lands near one of two values, for every system), so the
 * sequential measure runs on `sequentialSets` fresh sets of processes and the round keeps the
 * median of each of its figures.
 *
 * With `pinnedLayouts`, the sequential measure also runs once per layout on processes pinned to
 * given cores (`taskset`), as a diagnostic that takes the scheduler's placement out: e.g. all
 * three on one core (no wake-up crosses cores) or the hub alone on one (every hop crosses).
 * @param {string} system
 * @param {{ sequential?: object, concurrent?: object, payload?: object }} params `undefined` skips a measure
 * @param {{ hubExecArgv: string[], sequentialSets?: number, pinnedLayouts?: PinnedLayout[] }} options
 * @returns {Promise<Record<string, number>>} flat metrics, e.g. `sequential.p50Ms`
 */
export async function runCallsRound(system, params, { hubExecArgv, sequentialSets = 1, pinnedLayouts = [] }) {
  const metrics = await runOnFreshProcesses(system, params, hubExecArgv);
  if (!params.sequential) return metrics;
  if (sequentialSets > 1) {
    const sets = [metrics];
    for (let k = 1; k < sequentialSets; k++) sets.push(await runOnFreshProcesses(system, { sequential: params.sequential }, hubExecArgv));
    for (const key of Object.keys(metrics).filter((name) => name.startsWith('sequential.'))) {
      metrics[key] = median(sets.map((set) => set[key]));
    }
  }
  for (const layout of pinnedLayouts) {
    const pinned = await runOnFreshProcesses(system, { sequential: params.sequential }, hubExecArgv, layout);
    metrics[`sequentialPinned.${layout.name}.p50Ms`] = pinned['sequential.p50Ms'];
  }
  return metrics;
}

/**
 * @typedef {object} PinnedLayout
 * @property {string} name metric name part
 * @property {string} hub cores of the hub process (`taskset -c` syntax)
 * @property {string} worker cores of the worker process
 * @property {string} caller cores of the caller process
 */

/** The measures of `params` on a fresh hub, worker process and caller process (pinned with `layout`). */
async function runOnFreshProcesses(system, params, hubExecArgv, layout) {
  const roles = [];
  try {
    const hub = await startRole('hub', [system], { execArgv: hubExecArgv, cpus: layout?.hub });
    roles.push(hub);
    const workers = await startRole('workers', [system], { cpus: layout?.worker });
    roles.push(workers);
    await workers.request('connect', {
      url: hub.ready.url,
      workers: [{ clientId: WORKER_ID, services: [{ id: SERVICE_ID, echo: true }] }],
    });
    const caller = await startRole('callers', [system], { cpus: layout?.caller });
    roles.push(caller);
    await caller.request('connect', { url: hub.ready.url, clientIds: ['caller'] });
    const target = { serviceId: SERVICE_ID, instances: [WORKER_ID] };
    const metrics = {};
    for (const measure of CALL_MEASURES) {
      if (!params[measure]) continue;
      const pids = { hub: [...new Set([hub.pid, hub.ready.rssPid])], worker: [workers.pid], caller: [caller.pid] };
      const { result, cpuMs } = await measureCpu(pids, () => caller.request('calls', { ...target, [measure]: params[measure] }));
      Object.assign(metrics, flatten(result));
      if (measure === 'concurrent') {
        const calls = params.concurrent.calls + params.concurrent.warmup;
        for (const [role, ms] of Object.entries(cpuMs)) metrics[`concurrent.${role}CpuUsPerCall`] = (ms * 1000) / calls;
      }
    }
    return metrics;
  } finally {
    for (const role of roles.reverse()) await role.stop();
  }
}

/** `{sequential: {p50Ms: 1}}` -> `{"sequential.p50Ms": 1}`. */
function flatten(result) {
  const flat = {};
  for (const [measure, values] of Object.entries(result)) {
    if (!values) continue;
    for (const [key, value] of Object.entries(values)) flat[`${measure}.${key}`] = value;
  }
  return flat;
}
