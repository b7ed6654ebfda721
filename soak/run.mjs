/**
 * `pnpm soak [--minutes N]`: a hub in its own process, workers that are killed and replaced every
 * few seconds, and a caller issuing calls at a steady rate the whole time. Prints calls started,
 * resolved, rejected (by code) and hung, and the hub's RSS at start and end: a JSON line on
 * stdout, then a table. Exits 1 if any call hung (or came back wrong, or the hub died), 130 when
 * interrupted. See docs/reliability.md ("Soak").
 */
import { loadavg } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { describeCode, distStamp } from './build-stamp.mjs';
import { startCaller, longestLegitimateCallMs } from './caller.mjs';
import { killAllChildren } from './children.mjs';
import { createFleet } from './fleet.mjs';
import { startHubProcess } from './hub-process.mjs';
import { describeMachine } from './machine.mjs';
import { parseOptions, USAGE } from './options.mjs';
import { isPass, renderTable, summarise } from './report.mjs';

const RSS_SAMPLE_MS = 10_000;
/** Interval of heap probes (a full GC in the hub, then its live heap). */
const HEAP_PROBE_MS = 60_000;
const PROGRESS_MS = 30_000;
/** Slack past every phase's own bound before the watchdog gives up on the whole run. */
const WATCHDOG_SLACK_MS = 120_000;
/** Time the hub may take to list exactly the live workers after the last kill. */
const REGISTRY_SETTLE_MS = 3_000;

const log = (line) => process.stderr.write(`[soak ${elapsed()}] ${line}\n`);
const t0 = performance.now();
const elapsed = () => `${Math.round((performance.now() - t0) / 1000)}s`.padStart(5);

let options;
try {
  options = parseOptions(process.argv.slice(2));
} catch (error) {
  process.stderr.write(`${error.message}\n${USAGE}\n`);
  process.exit(2);
}
if (options.help) {
  process.stdout.write(`${USAGE}\n`);
  process.exit(0);
}

const durationMs = options.minutes * 60_000;
const methodTimeoutMs = options.timeoutSec * 1000;
const graceMs = longestLegitimateCallMs(methodTimeoutMs) + 5_000;

// Ctrl-C once: stop sending, settle, report. Twice: kill everything now.
const stop = new AbortController();
let interrupts = 0;
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(signal, () => {
    if (++interrupts === 1) {
      log(`${signal}: stopping; waiting up to ${graceMs / 1000} s for calls in flight (again to quit at once)`);
      stop.abort();
      return;
    }
    killAllChildren();
    process.exit(130);
  });
}
const watchdog = setTimeout(() => {
  log('watchdog: the run overran every bound; killing everything');
  killAllChildren();
  process.exit(3);
}, durationMs + graceMs + WATCHDOG_SLACK_MS);
watchdog.unref();

const machine = describeMachine();
const code = describeCode();
const distAtStart = distStamp();
// Other work on the machine shows in latency and kill timing, so the report carries it.
const loadAtStart = loadavg()[0];
const startedAt = new Date().toISOString();
log(`${options.minutes} min at ${options.rate} calls/s, ${options.workers} workers, a kill every ${options.killEverySec} s`);
log(`code: commit ${code.commit}${code.isPackagesDirty ? ' with uncommitted changes in packages/' : ''}`);
log(`machine: node ${machine.node}, ${machine.cpu}, ${machine.cores} cores, ${machine.ramGiB} GiB; load average ${loadAtStart.toFixed(2)}`);

const hub = await startHubProcess();
let hubDied;
let isHubStopping = false;
void hub.process.exited.then(({ code, signal }) => {
  if (isHubStopping) return;
  hubDied = `exited (${code ?? signal}); stderr: ${hub.process.stderrTail().slice(-500)}`;
  log(`hub ${hubDied}`);
  stop.abort();
});
log(`hub pid ${hub.pid} at ${hub.url}`);

const fleet = createFleet({ url: hub.url, size: options.workers, log });
let caller;
try {
  await fleet.start();
  caller = await startCaller({ url: hub.url, rate: options.rate, slots: options.workers, methodTimeoutMs });
} catch (error) {
  log(`setup failed: ${error.message}`);
  await fleet.stop();
  isHubStopping = true;
  await hub.process.stop();
  process.exit(2);
}
log(`${fleet.alive} workers ready, caller connected`);

// Memory at the start: a full GC in the hub first, so start and end are measured alike.
const startHeap = await hub.heap();
const sendStart = performance.now();
const samples = [];
const heapSamples = startHeap ? [{ atS: 0, ...startHeap }] : [];
const sinceStartS = () => Math.round((performance.now() - sendStart) / 1000);
const sample = () => {
  const memory = hub.memory();
  if (memory) samples.push({ atS: sinceStartS(), ...memory });
  return memory;
};
let isProbing = false;
const probeHeap = async () => {
  if (isProbing) return undefined;
  isProbing = true;
  const heap = await hub.heap();
  isProbing = false;
  if (heap) heapSamples.push({ atS: sinceStartS(), ...heap });
  return heap;
};
const start = sample();
const sampler = setInterval(sample, RSS_SAMPLE_MS);
const heapSampler = setInterval(probeHeap, HEAP_PROBE_MS);
const progress = setInterval(() => {
  const t = caller.tally;
  const rejected = Object.values(t.rejected.call).concat(Object.values(t.rejected.selection)).reduce((a, b) => a + b, 0);
  const kills = fleet.stats.kills.SIGKILL + fleet.stats.kills.SIGTERM;
  const rss = samples.at(-1)?.rssKiB;
  log(`started ${t.started}, resolved ${t.resolved}, rejected ${rejected}, open ${caller.open.size} | kills ${kills}, workers ${fleet.alive} | hub rss ${rss === undefined ? '?' : (rss / 1024).toFixed(1)} MiB`);
}, PROGRESS_MS);

// The chaos loop: every kill-every seconds, one worker dies and a new one starts, until sending stops.
const chaosStop = new AbortController();
const chaos = (async () => {
  while (!chaosStop.signal.aborted) {
    try {
      await sleep(options.killEverySec * 1000, undefined, { signal: chaosStop.signal });
    } catch {
      return;
    }
    try {
      await fleet.killOne();
    } catch (error) {
      log(`kill step failed: ${error.message}`);
    }
  }
})();

await caller.send({ durationMs, signal: stop.signal });
const sendSeconds = (performance.now() - sendStart) / 1000;
chaosStop.abort();
log(`sending stopped after ${caller.tally.started} calls; waiting up to ${graceMs / 1000} s for ${caller.open.size} open calls`);
await chaos;
const hung = await caller.drain(graceMs);
clearInterval(sampler);
clearInterval(heapSampler);
clearInterval(progress);
while (isProbing) await sleep(50);
const endHeap = await probeHeap();
const end = sample();

let listedInstancesAtEnd;
if (!hubDied) {
  const deadline = performance.now() + REGISTRY_SETTLE_MS;
  do {
    listedInstancesAtEnd = await caller.listedInstances().catch((error) => `error: ${error.message}`);
    if (listedInstancesAtEnd === fleet.alive) break;
    await sleep(200);
  } while (performance.now() < deadline);
}
const aliveWorkersAtEnd = fleet.alive;

log('stopping caller, workers and hub');
await caller.close();
await fleet.stop();
isHubStopping = true;
await hub.process.stop();

const summary = summarise({
  options,
  machine,
  code: { ...code, isDistRebuiltDuringRun: distStamp() !== distAtStart },
  startedAt,
  sendSeconds,
  load: { start: loadAtStart, end: loadavg()[0] },
  interrupted: stop.signal.aborted && !hubDied,
  hubDied,
  tally: caller.tally,
  hung,
  graceMs,
  fleet,
  hub: { start, end, samples, startHeap, endHeap, heapSamples, logTally: hub.logTally, listedInstancesAtEnd, aliveWorkersAtEnd },
});
process.stdout.write(`${JSON.stringify(summary)}\n\n${renderTable(summary)}\n`);
const pass = isPass(summary);
const verdict = summary.interrupted ? 'INTERRUPTED' : pass ? 'PASS' : 'FAIL';
process.stdout.write(`\n${verdict}: ${summary.calls.hung} hung, ${summary.calls.wrongValues} wrong values${hubDied ? ', hub died' : ''}\n`);
process.exitCode = summary.interrupted ? 130 : pass ? 0 : 1;
