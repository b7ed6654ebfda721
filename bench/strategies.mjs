/**
 * Pick cost of each per-call (`balance:`) strategy: nanoseconds per pick at N = 10 and 1,000
 * instances, in one process, no sockets. The strategies run from the built server package
 * (`tsc -b` first; `npx -y pnpm@10 bench:strategies` does both).
 *
 *   node bench/strategies.mjs [--rounds 5] [--quick]
 *
 * Each round times every strategy at every N once (order rotated per round) after an untimed
 * warm-up; the table gives the median over rounds and the spread (min-max) of this process's CPU
 * time per pick (on a busy machine wall time mostly measures the wait for a core), and the median
 * wall time.
 */
import os from 'node:os';
import { parseArgs } from 'node:util';
import { CALL_STRATEGIES } from '../packages/server/dist/balancing/call-strategies.js';
import { instanceBalancingFrom } from '../packages/server/dist/balancing/instance-config.js';
import { Registry } from '../packages/server/dist/registry.js';
import { describeMachine } from './machine.mjs';
import { median } from './stats.mjs';

const { values: flags } = parseArgs({
  options: { rounds: { type: 'string', default: '5' }, quick: { type: 'boolean', default: false } },
});
const ROUNDS = flags.quick ? 2 : Number(flags.rounds);
const SIZES = [10, 1_000];
/** Picks per timed loop: enough for about 50-100 ms of work at each size. */
const PICKS = flags.quick ? { 10: 200_000, 1000: 5_000 } : { 10: 1_000_000, 1000: 20_000 };
/** Distinct keys of balance:hash: after the warm-up every key has its instance (affinity hits). */
const KEYS = Array.from({ length: 10_000 }, (_, i) => `user-${i}`);
/** Hub time of every pick, ms. */
const NOW = 1_000_000;

/**
 * A group of `count` instances with weights 1-3, latencies 1-50 ms, and 0-7 calls in flight each
 * (`even`: 3 each, where balance:hash's load bound lets every key go home).
 */
function fleetOf(count, even = false) {
  const registry = new Registry();
  for (let i = 0; i < count; i++) {
    const id = `ws/c${i}:svc`;
    const { record } = registry.register({
      id, workspace: 'ws', clientId: `c${i}`, serviceId: 'svc', appId: '*', peerId: `ws/c${i}`,
      visibility: 'protected', info: { id, config: { weight: 1 + (i % 3) } },
      balancing: instanceBalancingFrom({ weight: 1 + (i % 3) }),
    });
    record.state.inFlight = even ? 3 : Math.floor(Math.random() * 8);
    record.state.peakLatencyMs = 1 + Math.random() * 49;
    // Answers in the last 50 ms, as on a service with traffic.
    record.state.peakLatencyAt = NOW - Math.random() * 50;
  }
  return registry.group('ws', 'svc');
}

/**
 * The cases: every strategy; balance:hash on even loads with its affinity table (every key found
 * there after the warm-up), with affinity off (a score per candidate per pick), and on the uneven
 * loads, where calls of keys whose instance is at the load bound go to the next scorer.
 */
const hash = CALL_STRATEGIES.get('hash');
const CASES = [
  ...[...CALL_STRATEGIES.values()].filter((s) => s !== hash).map((strategy) => ({ label: strategy.name, strategy })),
  { label: 'hash (affinity hit)', strategy: hash, even: true },
  { label: 'hash (affinity_ttl 0)', strategy: hash, even: true, options: { affinityTtlS: 0 } },
  { label: 'hash (uneven loads)', strategy: hash },
];

/** Nanoseconds per pick of `picks` picks: wall time, and this process's CPU time (what a busy machine inflates less). */
function timePicks({ strategy, options, even }, size, picks) {
  const group = (even ? evenGroups : groups).get(size);
  const candidates = group.instances;
  const context = { group, random: Math.random, now: NOW, key: undefined, options };
  let sink = 0;
  const cpu = process.cpuUsage();
  const start = process.hrtime.bigint();
  for (let i = 0; i < picks; i++) {
    context.key = KEYS[i % KEYS.length];
    sink += strategy.pick(candidates, context).seq;
  }
  const wallNs = Number(process.hrtime.bigint() - start);
  const { user, system } = process.cpuUsage(cpu);
  if (sink === 0) throw new Error('no pick');
  return { wall: wallNs / picks, cpu: ((user + system) * 1_000) / picks };
}

const groups = new Map(SIZES.map((size) => [size, fleetOf(size)]));
const evenGroups = new Map(SIZES.map((size) => [size, fleetOf(size, true)]));
for (const kase of CASES) for (const size of SIZES) timePicks(kase, size, Math.max(KEYS.length, PICKS[size] / 4));

const results = new Map(CASES.map((kase) => [kase.label, new Map(SIZES.map((size) => [size, { wall: [], cpu: [] }]))]));
for (let round = 0; round < ROUNDS; round++) {
  const order = CASES.map((_, i) => CASES[(i + round) % CASES.length]);
  for (const kase of order) {
    for (const size of SIZES) {
      const { wall, cpu } = timePicks(kase, size, PICKS[size]);
      results.get(kase.label).get(size).wall.push(wall);
      results.get(kase.label).get(size).cpu.push(cpu);
    }
  }
}

const facts = describeMachine();
const load = os.loadavg()[0].toFixed(1);
console.log(`# Pick cost per call (${ROUNDS} rounds; ${facts.cores} x ${facts.cpu}; node ${facts.node}; load average ${load})\n`);
console.log('CPU time of this process per pick, ns: median over rounds (min-max); wall time in the last columns.\n');
console.log(`| strategy | ${SIZES.map((n) => `N = ${n.toLocaleString('en')}`).join(' | ')} | ${SIZES.map((n) => `wall, N = ${n.toLocaleString('en')}`).join(' | ')} |`);
console.log(`| --- | ${[...SIZES, ...SIZES].map(() => '---:').join(' | ')} |`);
const format = (ns) => (ns < 100 ? ns.toFixed(1) : Math.round(ns).toLocaleString('en'));
const spread = (times) => `${format(median(times))} (${format(Math.min(...times))}-${format(Math.max(...times))})`;
for (const [label, bySize] of results) {
  const cpu = SIZES.map((size) => spread(bySize.get(size).cpu));
  const wall = SIZES.map((size) => format(median(bySize.get(size).wall)));
  console.log(`| ${label} | ${cpu.join(' | ')} | ${wall.join(' | ')} |`);
}
