/**
 * Group "fleet": selection at N instances, selection with slow probes, and the herd. One fleet
 * per system is started once (hub, workers spread over a few processes, one selection caller,
 * the herd callers) and kept for every round, since 1000 instances take a while to connect.
 *
 * Worker `w-i` serves, for each size N with i < N, `sel-N` with a load unique to i (so exactly
 * one instance is the right answer); for i < 50, `slow-50` whose `get_load` answers after
 * 100 ms; for i < 20, `herd` with load 1 (all equal).
 */
import { measureCpu } from '../cpu-time.mjs';
import { startRole } from '../roles/role.mjs';
import { median } from '../stats.mjs';

/**
 * @typedef {object} FleetPlan
 * @property {number[]} sizes instance counts of the selection measure
 * @property {number} selectionRepeats selections timed per size and round
 * @property {{ instances: number, delayMs: number, repeats: number } | undefined} slow
 * @property {{ instances: number, callers: number, herdsPerRound: number } | undefined} herd
 * @property {number} workerProcesses
 * @property {number} herdProcesses
 */

/** A load unique to worker `i` (0..1008 permuted; w-0 is not the lowest), so one instance is the right answer. */
const loadOf = (i) => ((i * 7919 + 500) % 1009) / 1009;

/** The worker plans of a fleet: which services each worker serves. */
function workerPlans(plan) {
  const count = Math.max(...plan.sizes, plan.slow?.instances ?? 0, plan.herd?.instances ?? 0);
  return Array.from({ length: count }, (_, i) => {
    const services = plan.sizes.filter((n) => i < n).map((n) => ({ id: `sel-${n}`, load: loadOf(i) }));
    if (plan.slow && i < plan.slow.instances) {
      services.push({ id: `slow-${plan.slow.instances}`, load: loadOf(i), probeDelayMs: plan.slow.delayMs });
    }
    if (plan.herd && i < plan.herd.instances) services.push({ id: 'herd', load: 1 });
    return { clientId: `w-${i}`, services };
  });
}

const ids = (prefix, n) => Array.from({ length: n }, (_, i) => `${prefix}-${i}`);

/** Splits `items` into `parts` near-equal chunks (none empty). */
function split(items, parts) {
  const size = Math.ceil(items.length / parts);
  const chunks = [];
  for (let i = 0; i < items.length; i += size) chunks.push(items.slice(i, i + size));
  return chunks;
}

/**
 * Starts a fleet of one system.
 * @param {string} system
 * @param {FleetPlan} plan sizes above the system's `maxInstances` must be filtered out already
 * @param {{ hubExecArgv: string[] }} options
 */
export async function startFleet(system, plan, { hubExecArgv }) {
  const roles = [];
  const stop = async () => {
    for (const role of roles.reverse()) await role.stop();
  };
  try {
    const hub = await startRole('hub', [system], { execArgv: hubExecArgv });
    roles.push(hub);
    const { url } = hub.ready;
    const workerPids = [];
    await Promise.all(
      split(workerPlans(plan), plan.workerProcesses).map(async (workers) => {
        const role = await startRole('workers', [system]);
        roles.push(role);
        workerPids.push(role.pid);
        await role.request('connect', { url, workers, concurrency: 8 });
      }),
    );
    const selector = await startRole('callers', [system]);
    roles.push(selector);
    await selector.request('connect', { url, clientIds: ['selector'] });
    const pids = { hub: [...new Set([hub.pid, hub.ready.rssPid])], workers: workerPids };
    const herders = [];
    if (plan.herd) {
      const instances = ids('w', plan.herd.instances);
      for (const clientIds of split(ids('h', plan.herd.callers), plan.herdProcesses)) {
        const role = await startRole('callers', [system]);
        roles.push(role);
        herders.push(role);
        await role.request('connect', { url, clientIds });
        await role.request('prepareHerd', { serviceId: 'herd', instances });
      }
    }
    return { measureRound: () => measureRound(plan, selector, herders, pids), stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/**
 * One round: each selection size, the slow probes, then the herds. Returns flat metrics,
 * including the CPU time hub and workers spent per selection (a diagnostic, 10 ms resolution).
 */
async function measureRound(plan, selector, herders, pids) {
  const cases = plan.sizes.map((n) => {
    const instances = ids('w', n);
    const lowest = Math.min(...instances.map((_, i) => loadOf(i)));
    return {
      name: `N${n}`,
      serviceId: `sel-${n}`,
      instances,
      lowest: instances.filter((_, i) => loadOf(i) === lowest),
      repeats: plan.selectionRepeats,
      warmup: selectionWarmup(n),
    };
  });
  if (plan.slow) {
    const n = plan.slow.instances;
    cases.push({ name: `slow${n}`, serviceId: `slow-${n}`, instances: ids('w', n), repeats: plan.slow.repeats, warmup: 1 });
  }
  const metrics = {};
  for (const selectionCase of cases) {
    const { name, repeats, warmup } = selectionCase;
    const { result, cpuMs } = await measureCpu(pids, () => selector.request('selection', { cases: [selectionCase] }));
    const { medianMs, pickedLowest } = result[name];
    metrics[`selection.${name}.medianMs`] = medianMs;
    if (!name.startsWith('slow')) metrics[`selection.${name}.pickedLowest`] = pickedLowest;
    // The unmeasured warm-up selections cost CPU too.
    metrics[`selection.${name}.hubCpuMs`] = cpuMs.hub / (repeats + warmup);
    metrics[`selection.${name}.workersCpuMs`] = cpuMs.workers / (repeats + warmup);
  }
  if (plan.herd) {
    const ratios = [];
    for (let h = 0; h < plan.herd.herdsPerRound; h++) ratios.push(await herdOnce(plan.herd, herders));
    metrics['herd.maxShareRatio'] = median(ratios);
  }
  return metrics;
}

/**
 * Unmeasured selections before the timed ones, the same for every system: enough (about 2,000
 * probes, at most 50 selections) that the timed ones run warm code, as a long-lived caller does.
 */
function selectionWarmup(n) {
  return Math.max(1, Math.min(50, Math.floor(2000 / n)));
}

/** Every herd caller selects at once; the largest share any instance got over the fair share. */
async function herdOnce({ instances, callers }, herders) {
  const args = { serviceId: 'herd', instances: ids('w', instances) };
  const chosen = (await Promise.all(herders.map((role) => role.request('herd', args)))).flat();
  const counts = new Map();
  for (const id of chosen) counts.set(id, (counts.get(id) ?? 0) + 1);
  return Math.max(...counts.values()) / (callers / instances);
}
