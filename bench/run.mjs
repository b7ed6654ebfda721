/**
 * `pnpm bench`: every system measured in the same run, interleaved round by round (the order of
 * systems rotates each round), on loopback, with hub, workers and callers in separate processes.
 * Writes bench/results/<time>.json (raw per-round figures) and .md (the tables), and prints the
 * tables. See bench/README.md and bench/plan.mjs for the flags.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { BALANCING_MEASURES, runBalancingRound } from './groups/balancing.mjs';
import { runCallsRound } from './groups/calls.mjs';
import { runConnectionsRound } from './groups/connections.mjs';
import { startFleet } from './groups/fleet.mjs';
import { describeMachine, describeRevision } from './machine.mjs';
import { parsePlan } from './plan.mjs';
import { renderMarkdown } from './report.mjs';
import { loadSystem } from './systems/system.mjs';

const RESULTS_DIR = fileURLToPath(new URL('./results/', import.meta.url));

const plan = parsePlan(process.argv.slice(2));
if (plan.help) {
  process.stdout.write('usage: pnpm bench [--quick] [--only m1,m2] [--systems s1,s2] [--rounds n] [--profile]\n');
  process.exit(0);
}
const systems = await Promise.all(plan.systems.map(loadSystem));
const hubExecArgv = ['--expose-gc'];
if (plan.profile) process.env.MYCEL_BENCH_PROFILE_DIR = `${RESULTS_DIR}profiles`;

const results = {
  startedAt: new Date().toISOString(),
  machine: describeMachine(),
  revision: describeRevision(),
  /** 1, 5 and 15 minute load averages: other work on the machine skews every figure. */
  loadAverage: { start: os.loadavg() },
  plan,
  systems: systems.map(({ name, label, hub, notes }) => ({ name, label, hub, notes })),
  /** system -> one metrics object per round */
  rounds: Object.fromEntries(systems.map((s) => [s.name, Array.from({ length: plan.rounds }, () => ({}))])),
  errors: {},
};
const log = (message) => process.stderr.write(`${message}\n`);
const has = (measure) => plan.measures.includes(measure);
/** The systems in round `r`'s order: rotated by one each round. */
const inRoundOrder = (list, r) => list.map((_, i) => list[(i + r) % list.length]);

log(`mycel bench: ${plan.rounds} rounds, measures ${plan.measures.join(', ')}; systems ${plan.systems.join(', ')}`);
log(`machine: ${JSON.stringify(results.machine)}; revision ${JSON.stringify(results.revision)}`);
if (results.loadAverage.start[0] > 0.5) {
  log(`warning: load average ${results.loadAverage.start[0].toFixed(2)} before the run; other work skews the figures`);
}

if (has('sequential') || has('concurrent') || has('payload')) await runCalls();
if (has('selection') || has('slow-probes') || has('herd')) await runFleets();
if (has('connections')) await runConnections();
if (BALANCING_MEASURES.some(has)) await runBalancing();

results.loadAverage.end = os.loadavg();
results.finishedAt = new Date().toISOString();
mkdirSync(RESULTS_DIR, { recursive: true });
const stem = `${RESULTS_DIR}${results.startedAt.replace(/[:.]/g, '-')}`;
writeFileSync(`${stem}.json`, `${JSON.stringify(results, null, 2)}\n`);
const markdown = renderMarkdown(results);
writeFileSync(`${stem}.md`, `${markdown}\n`);
process.stdout.write(`\n${markdown}\nraw results: ${stem}.json\n`);

async function runCalls() {
  // The pinned diagnostic needs two cores and taskset (util-linux).
  const canPin = os.availableParallelism() >= 2 && spawnSync('taskset', ['-c', '0', 'true']).status === 0;
  const pinnedLayouts = canPin ? plan.pinnedLayouts : [];
  if (!canPin && plan.pinnedLayouts.length > 0) log('no taskset or fewer than 2 cores: skipping the pinned sequential diagnostic');
  const params = {
    sequential: has('sequential') ? plan.sequential : undefined,
    concurrent: has('concurrent') ? plan.concurrent : undefined,
    payload: has('payload') ? plan.payload : undefined,
  };
  for (let r = 0; r < plan.rounds; r++) {
    for (const system of inRoundOrder(systems, r)) {
      await attempt(`calls round ${r + 1}`, system.name, async () => {
        Object.assign(results.rounds[system.name][r], await runCallsRound(system.name, params, { hubExecArgv, sequentialSets: plan.sequentialSets, pinnedLayouts }));
      });
    }
  }
}

async function runFleets() {
  const fleets = new Map();
  const base = plan.fleet;
  const fleetPlan = {
    ...base,
    sizes: has('selection') ? base.sizes : [],
    slow: has('slow-probes') ? base.slow : undefined,
    herd: has('herd') ? base.herd : undefined,
  };
  try {
    for (const system of systems) {
      const sizes = fleetPlan.sizes.filter((n) => n <= (system.maxInstances ?? Infinity));
      for (const n of fleetPlan.sizes.filter((n) => !sizes.includes(n))) {
        results.errors[`${system.name} selection N=${n}`] = `above its maxInstances (${system.maxInstances}): ${system.notes}`;
      }
      await attempt('fleet start', system.name, async () => {
        fleets.set(system.name, await startFleet(system.name, { ...fleetPlan, sizes }, { hubExecArgv }));
      });
    }
    for (let r = 0; r < plan.rounds; r++) {
      for (const system of inRoundOrder(systems, r)) {
        const fleet = fleets.get(system.name);
        if (!fleet) continue;
        await attempt(`fleet round ${r + 1}`, system.name, async () => {
          Object.assign(results.rounds[system.name][r], await fleet.measureRound());
        });
      }
    }
  } finally {
    for (const fleet of fleets.values()) await fleet.stop();
  }
}

async function runBalancing() {
  if (!results.rounds.mycel) {
    results.errors['balancing'] = 'the balancing measures run on the Mycel hub only (--systems mycel)';
    return;
  }
  const params = Object.fromEntries(BALANCING_MEASURES.filter(has).map((measure) => [measure, plan[measure]]));
  for (let r = 0; r < plan.rounds; r++) {
    await attempt(`balancing round ${r + 1}`, 'mycel', async () => {
      const { metrics, errors } = await runBalancingRound(params, { hubExecArgv });
      Object.assign(results.rounds.mycel[r], metrics);
      for (const [key, message] of Object.entries(errors)) results.errors[`mycel ${key} (round ${r + 1})`] = message;
    });
  }
}

async function runConnections() {
  const byHub = new Map();
  for (const system of systems) {
    if (system.idleProtocol === 'none') {
      results.errors[`${system.name} connections`] = `no hub process to measure (${system.hub})`;
    } else if (!byHub.has(system.hub)) byHub.set(system.hub, system);
  }
  const hubs = [...byHub.values()];
  for (let r = 0; r < plan.rounds; r++) {
    for (const system of inRoundOrder(hubs, r)) {
      await attempt(`connections round ${r + 1}`, system.hub, async () => {
        const metrics = await runConnectionsRound(system.name, system.idleProtocol, plan.connections, { hubExecArgv });
        for (const other of systems.filter((s) => s.hub === system.hub)) Object.assign(results.rounds[other.name][r], metrics);
      });
    }
  }
}

/** Runs one step, logs its time, and records (instead of throwing) a failure. */
async function attempt(step, name, fn) {
  const start = performance.now();
  try {
    await fn();
    log(`[${step}] ${name}: ${((performance.now() - start) / 1000).toFixed(1)} s`);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    results.errors[`${name} ${step}`] = message.split('\n')[0];
    log(`[${step}] ${name}: FAILED ${message}`);
  }
}
