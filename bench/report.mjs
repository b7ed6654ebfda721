/**
 * Turns a run's raw per-round metrics into medians, ratios to the floor, target checks and the
 * Markdown tables that go into docs/benchmarks.md.
 * Usage: node bench/report.mjs bench/results/<run>.json   (prints the Markdown)
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { QUEUEING_MODES } from './groups/balancing.mjs';
import { median } from './stats.mjs';

const ms = (v) => (v < 1 ? v.toFixed(3) : v < 100 ? v.toFixed(2) : v.toFixed(0));
const count = (v) => Math.round(v).toLocaleString('en-US');
const kib = (v) => (v / 1024).toFixed(1);
const ratio = (v) => v.toFixed(2);

/** The tables: each a title, a caption and its columns (metric key, heading, formatter). */
const TABLES = [
  {
    title: 'Calls',
    columns: [
      ['sequential.p50Ms', 'sequential p50 (ms)', ms],
      ['sequential.p99Ms', 'sequential p99 (ms)', ms],
      ['sequential.callsPerS', 'sequential calls/s', count],
      ['concurrent.callsPerS', '32 in flight calls/s', count],
      ['concurrent.p99Ms', '32 in flight p99 (ms)', ms],
    ],
  },
  {
    title: 'Sequential p50 with pinned processes (diagnostic: taskset, one process set per round)',
    columns: [
      ['sequentialPinned.oneCore.p50Ms', 'hub, worker, caller on core 0 (ms)', ms],
      ['sequentialPinned.hubApart.p50Ms', 'hub on core 0, worker and caller on core 1 (ms)', ms],
    ],
  },
  {
    title: 'Payload round trips (echo: the bytes go to the worker and back)',
    columns: [
      ['payload.1KiB', '1 KiB (ms)', ms],
      ['payload.1MiB', '1 MiB (ms)', ms],
      ['payload.4MiB', '4 MiB (ms)', ms],
    ],
  },
  {
    title: 'Selection: getService with select:min:get_load, time at the caller',
    columns: [
      ['selection.N3.medianMs', 'N = 3 (ms)', ms],
      ['selection.N20.medianMs', 'N = 20 (ms)', ms],
      ['selection.N100.medianMs', 'N = 100 (ms)', ms],
      ['selection.N1000.medianMs', 'N = 1000 (ms)', ms],
      ['selection.slow50.medianMs', 'N = 50, probes take 100 ms (ms)', ms],
      ['selection.N100.pickedLowest', 'picked the lowest load (N = 100)', (v) => `${Math.round(v * 100)} %`, true],
      ['herd.maxShareRatio', 'herd: largest share / fair share', ratio],
    ],
  },
  {
    title: 'Per-call balancing (Mycel only): 32 in flight over one instance, herd, queueing',
    columns: [
      ['balancedConcurrent.pinnedCallsPerS', 'pinned proxy calls/s', count, true],
      ['balancedConcurrent.balancedCallsPerS', 'balance:round_robin calls/s', count, true],
      ['balancedConcurrent.ratio', 'balanced / pinned', ratio, true],
      ['balancedHerd.maxShareRatio', 'least_inflight herd: largest share / fair share', ratio, true],
    ],
  },
  {
    title: 'Queueing: ten one-at-a-time workers, one 10x slower, 70 % of capacity offered (Mycel only)',
    columns: Object.keys(QUEUEING_MODES).flatMap((name) => [
      [`queueing.${name}.meanMs`, `${name} mean (ms)`, ms, true],
      [`queueing.${name}.p99Ms`, `${name} p99 (ms)`, ms, true],
    ]),
  },
  {
    title: 'Where the CPU goes (diagnostic; /proc CPU time, 10 ms resolution)',
    columns: [
      ['concurrent.hubCpuUsPerCall', '32 in flight: hub µs/call', count],
      ['concurrent.workerCpuUsPerCall', 'worker µs/call', count],
      ['concurrent.callerCpuUsPerCall', 'caller µs/call', count],
      ['selection.N1000.hubCpuMs', 'N = 1000: hub ms/selection', ms],
      ['selection.N1000.workersCpuMs', 'workers ms/selection', ms],
    ],
  },
];

/**
 * Medians over rounds of every metric of every system.
 * @param {{ rounds: Record<string, Array<Record<string, number>>> }} results
 * @returns {Record<string, Record<string, number>>} system -> metric -> median
 */
export function summarize(results) {
  const summary = {};
  for (const [system, rounds] of Object.entries(results.rounds)) {
    const keys = new Set(rounds.flatMap((round) => Object.keys(round ?? {})));
    summary[system] = {};
    for (const key of keys) summary[system][key] = median(rounds.map((round) => round?.[key]).filter((v) => v !== undefined));
  }
  return summary;
}

/**
 * The target checks of the benchmark issue, for the Mycel hub with `@mycel/client`.
 * @returns {Array<{ target: string, measured: string, isMet: boolean | undefined }>}
 */
export function checkTargets(summary) {
  const mycel = summary.mycel ?? {};
  const floor = summary.floor ?? {};
  const core = summary['hypha-core'] ?? {};
  const rows = [];
  const add = (target, value, format, isMet) =>
    rows.push(Number.isFinite(value) ? { target, measured: format(value), isMet } : { target, measured: 'not measured', isMet: undefined });
  const p50 = mycel['sequential.p50Ms'] / floor['sequential.p50Ms'];
  add('sequential p50 <= 1.2x floor', p50, (v) => `${ratio(v)}x`, p50 <= 1.2);
  const vsFloor = mycel['concurrent.callsPerS'] / floor['concurrent.callsPerS'];
  add('32 in flight calls/s >= 0.8x floor', vsFloor, (v) => `${ratio(v)}x`, vsFloor >= 0.8);
  const vsCore = mycel['concurrent.callsPerS'] / core['concurrent.callsPerS'];
  add('32 in flight calls/s >= 1.5x hypha-core + hypha-rpc', vsCore, (v) => `${ratio(v)}x`, vsCore >= 1.5);
  const n1000 = mycel['selection.N1000.medianMs'];
  add('selection at N = 1000 < 50 ms', n1000, (v) => `${ms(v)} ms`, n1000 < 50);
  const balanced = mycel['balancedConcurrent.ratio'];
  add('32 in flight through balance:round_robin >= 0.95x a pinned proxy', balanced, (v) => `${ratio(v)}x`, balanced >= 0.95);
  const perClient = mycel['connections.10000.bytesPerClient'];
  add('10,000 idle clients < 30 KiB each', perClient, (v) => `${kib(v)} KiB`, perClient < 30 * 1024);
  return rows;
}

/**
 * The Markdown of a run: machine, one table per measure group, connections by hub, targets.
 * @param {object} results the run's JSON
 * @returns {string}
 */
export function renderMarkdown(results) {
  const summary = summarize(results);
  const systems = results.systems.filter((s) => summary[s.name]);
  const floor = summary.floor ?? {};
  const { machine } = results;
  const lines = [
    `Run ${results.startedAt} (${results.plan.isQuick ? 'quick' : 'full'}, ${results.plan.rounds} rounds, medians over rounds; ` +
      `"(1.23x)" is the ratio to the floor's figure).`,
    `Machine: ${machine.cpu}, ${machine.cores} cores, ${machine.ramGiB} GiB RAM, ${machine.kernel}, Node ${machine.node}, ` +
      `fd limit ${machine.fdLimit}.`,
    loadLine(results),
    '',
  ];
  for (const table of TABLES) {
    const columns = table.columns.filter(([key]) => systems.some((s) => Number.isFinite(summary[s.name][key])));
    if (columns.length === 0) continue;
    lines.push(`**${table.title}**`, '', `| system | ${columns.map(([, heading]) => heading).join(' | ')} |`);
    lines.push(`| --- |${' ---: |'.repeat(columns.length)}`);
    for (const system of systems) {
      const cells = columns.map(([key, , format, noRatio]) => {
        const value = summary[system.name][key];
        if (!Number.isFinite(value)) return 'n/a';
        const base = floor[key];
        return noRatio || !Number.isFinite(base) || base === 0 ? format(value) : `${format(value)} (${ratio(value / base)}x)`;
      });
      lines.push(`| ${system.label} | ${cells.join(' | ')} |`);
    }
    lines.push('');
  }
  lines.push(...connectionsTable(results, summary), ...targetsTable(summary));
  const errors = Object.entries(results.errors ?? {});
  if (errors.length > 0) {
    lines.push('**Not measured**', '');
    for (const [key, message] of errors) lines.push(`- ${key}: ${message}`);
    lines.push('');
  }
  return lines.join('\n');
}

function loadLine({ revision, loadAverage }) {
  const built = revision ? `Packages built from ${revision.commit}${revision.changedPackageFiles ? ` plus ${revision.changedPackageFiles} changed files` : ''}. ` : '';
  const load = loadAverage ? `Load average (1 min) ${loadAverage.start[0].toFixed(2)} at the start, ${loadAverage.end?.[0]?.toFixed(2)} at the end.` : '';
  return `${built}${load}`;
}

function connectionsTable(results, summary) {
  const counts = [...new Set(Object.values(summary).flatMap((m) => Object.keys(m)))]
    .map((key) => /^connections\.(\d+)\.bytesPerClient$/.exec(key)?.[1])
    .filter(Boolean)
    .map(Number)
    .sort((a, b) => a - b);
  if (counts.length === 0) return [];
  const floor = summary.floor ?? {};
  const lines = [
    '**Connections: hub RSS per idle connected client (raw sockets doing the handshake only)**',
    '',
    `| hub (systems) | base RSS (MiB) | ${counts.map((c) => `${c.toLocaleString('en-US')} clients (KiB each)`).join(' | ')} |`,
    `| --- | ---: |${' ---: |'.repeat(counts.length)}`,
  ];
  for (const [hub, names] of Object.entries(groupByHub(results.systems))) {
    const metrics = names.map((n) => summary[n]).find((m) => m && Number.isFinite(m[`connections.${counts[0]}.bytesPerClient`]));
    if (!metrics) continue;
    const cells = counts.map((c) => {
      const key = `connections.${c}.bytesPerClient`;
      const value = metrics[key];
      if (!Number.isFinite(value)) return 'n/a';
      return Number.isFinite(floor[key]) ? `${kib(value)} (${ratio(value / floor[key])}x)` : kib(value);
    });
    lines.push(`| ${hub} (${names.join(', ')}) | ${metrics['connections.baseRssMiB'].toFixed(1)} | ${cells.join(' | ')} |`);
  }
  lines.push('');
  return lines;
}

function targetsTable(summary) {
  const lines = ['**Targets (Mycel hub + @mycel/client)**', '', '| target | measured | met |', '| --- | ---: | --- |'];
  for (const { target, measured, isMet } of checkTargets(summary)) {
    lines.push(`| ${target} | ${measured} | ${isMet === undefined ? 'n/a' : isMet ? 'yes' : '**no**'} |`);
  }
  lines.push('');
  return lines;
}

/** Hub label -> names of the systems that use it. */
function groupByHub(systems) {
  const byHub = {};
  for (const system of systems) (byHub[system.hub] ??= []).push(system.name);
  return byHub;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const file = process.argv[2];
  if (!file) throw new Error('usage: node bench/report.mjs <results.json>');
  process.stdout.write(`${renderMarkdown(JSON.parse(readFileSync(file, 'utf8')))}\n`);
}
