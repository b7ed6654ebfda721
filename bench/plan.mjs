/**
 * Command-line options of `pnpm bench` and the parameters of a full and a quick run.
 *
 *   --quick              2 rounds, fewer calls, N up to 100, 1,000 idle clients
 *   --only <measures>    comma-separated: sequential, concurrent, payload, selection,
 *                        slow-probes, herd, connections, balanced-concurrent, balanced-herd,
 *                        queueing (the last three: Mycel only)
 *   --systems <names>    comma-separated: floor, mycel, mycel-hypha-rpc, hypha-core, moleculer
 *   --rounds <n>         rounds (default 5, quick 2)
 *   --profile            run every hub with `node --cpu-prof` (profiles in bench/results/profiles/)
 */
import { parseArgs } from 'node:util';
import { SYSTEM_NAMES } from './systems/system.mjs';

/** Every measure, in report order. */
export const MEASURES = [
  'sequential',
  'concurrent',
  'payload',
  'selection',
  'slow-probes',
  'herd',
  'connections',
  'balanced-concurrent',
  'balanced-herd',
  'queueing',
];

const FULL = {
  rounds: 5,
  sequential: { calls: 2000, warmup: 5000 },
  /** Fresh process sets the sequential measure runs on per round (see groups/calls.mjs). */
  sequentialSets: 3,
  /** Diagnostic: the sequential measure on pinned processes (needs taskset and 2 cores). */
  pinnedLayouts: [
    { name: 'oneCore', hub: '0', worker: '0', caller: '0' },
    { name: 'hubApart', hub: '0', worker: '1', caller: '1' },
  ],
  concurrent: { inFlight: 32, calls: 8000, warmup: 5000 },
  payload: { repeats: { '1KiB': 50, '1MiB': 10, '4MiB': 5 } },
  fleet: {
    sizes: [3, 20, 100, 1000],
    selectionRepeats: 10,
    slow: { instances: 50, delayMs: 100, repeats: 5 },
    herd: { instances: 20, callers: 100, herdsPerRound: 3 },
    workerProcesses: 4,
    herdProcesses: 4,
  },
  connections: { counts: [1000, 10000], processes: 4 },
  'balanced-concurrent': { inFlight: 32, calls: 8000, warmup: 5000, repeats: 4 },
  'balanced-herd': { instances: 20, callers: 100, serviceMs: 20, herds: 3 },
  queueing: { instances: 10, fastMs: 10, slowFactor: 10, load: 0.7, callers: 10, durationMs: 6000, warmupMs: 1000 },
};

const QUICK = {
  rounds: 2,
  sequentialSets: 1,
  pinnedLayouts: [],
  sequential: { calls: 500, warmup: 200 },
  concurrent: { inFlight: 32, calls: 2000, warmup: 500 },
  payload: { repeats: { '1KiB': 20, '1MiB': 5, '4MiB': 3 } },
  fleet: { ...FULL.fleet, sizes: [3, 20, 100], selectionRepeats: 5, slow: { ...FULL.fleet.slow, repeats: 3 }, herd: { ...FULL.fleet.herd, herdsPerRound: 1 } },
  connections: { counts: [1000], processes: 2 },
  'balanced-concurrent': { inFlight: 32, calls: 2000, warmup: 500, repeats: 4 },
  'balanced-herd': { ...FULL['balanced-herd'], herds: 1 },
  queueing: { ...FULL.queueing, durationMs: 3000, warmupMs: 500 },
};

/**
 * Parses argv into the run's plan.
 * @param {string[]} argv
 */
export function parsePlan(argv) {
  const { values } = parseArgs({
    args: argv,
    options: {
      quick: { type: 'boolean', default: false },
      only: { type: 'string' },
      systems: { type: 'string' },
      rounds: { type: 'string' },
      profile: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  });
  const base = values.quick ? QUICK : FULL;
  const measures = listOption(values.only, MEASURES, 'measure');
  const systems = listOption(values.systems, SYSTEM_NAMES, 'system');
  const rounds = values.rounds === undefined ? base.rounds : Number(values.rounds);
  if (!Number.isInteger(rounds) || rounds < 1) throw new Error(`--rounds must be a positive integer, got "${values.rounds}"`);
  return { ...base, rounds, measures, systems, isQuick: values.quick, profile: values.profile, help: values.help };
}

function listOption(value, known, what) {
  if (value === undefined) return [...known];
  const list = value.split(',').map((s) => s.trim()).filter(Boolean);
  for (const item of list) if (!known.includes(item)) throw new Error(`unknown ${what} "${item}"; known: ${known.join(', ')}`);
  return list;
}
