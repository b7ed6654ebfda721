/** The soak's summary: one JSON object, and the same figures as a table for people. */

const mib = (kib) => (kib === undefined || Number.isNaN(kib) ? undefined : Math.round((kib / 1024) * 10) / 10);

function percentile(sorted, p) {
  if (sorted.length === 0) return undefined;
  const index = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return Math.round(sorted[Math.max(0, index)] * 100) / 100;
}

function sumValues(record) {
  return Object.values(record).reduce((a, b) => a + b, 0);
}

/**
 * Builds the summary object from what the run collected.
 * @param {object} run
 */
export function summarise({ options, machine, code, startedAt, sendSeconds, load, interrupted, hubDied, tally, hung, graceMs, fleet, hub }) {
  const latencies = Float64Array.from(tally.latenciesMs).sort();
  const rejectedByCode = {};
  for (const stage of ['selection', 'call']) {
    for (const [code, n] of Object.entries(tally.rejected[stage])) rejectedByCode[code] = (rejectedByCode[code] ?? 0) + n;
  }
  const rss = hub.samples.map((s) => s.rssKiB);
  const readyMs = [...fleet.stats.readyMs].sort((a, b) => a - b);
  return {
    startedAt,
    options,
    machine,
    code,
    sendSeconds: Math.round(sendSeconds * 10) / 10,
    /** 1-minute load average of the machine when the run started and ended. */
    loadAverage: { start: Math.round(load.start * 100) / 100, end: Math.round(load.end * 100) / 100 },
    interrupted,
    hubDied,
    calls: {
      started: tally.started,
      resolved: tally.resolved,
      rejected: sumValues(rejectedByCode),
      rejectedByCode,
      rejectedAt: tally.rejected,
      rejectionExamples: tally.messages,
      slowestRejectionMs: Object.fromEntries(Object.entries(tally.slowestRejectionMs).map(([k, v]) => [k, Math.round(v)])),
      wrongValues: tally.wrong,
      hung: hung.length,
      hungExamples: hung.slice(0, 10),
      graceMs,
      selections: tally.selections,
      latencyMs: {
        p50: percentile(latencies, 50),
        p99: percentile(latencies, 99),
        p999: percentile(latencies, 99.9),
        max: percentile(latencies, 100),
      },
      callerMaxTickGapMs: Math.round(tally.maxTickGapMs),
    },
    workers: {
      initial: options.workers,
      kills: fleet.stats.kills,
      started: fleet.stats.started,
      startFailures: fleet.stats.startFailures,
      unexpectedExits: fleet.stats.unexpectedExits,
      readyMsMedian: readyMs.length ? Math.round(readyMs[Math.floor(readyMs.length / 2)]) : undefined,
      aliveAtEnd: hub.aliveWorkersAtEnd,
    },
    hub: {
      rssStartMiB: mib(hub.start?.rssKiB),
      rssEndMiB: mib(hub.end?.rssKiB),
      rssMinMiB: mib(Math.min(...rss)),
      rssMaxMiB: mib(Math.max(...rss)),
      peakRssMiB: mib(hub.end?.hwmKiB),
      rssSamplesMiB: hub.samples.map((s) => [s.atS, mib(s.rssKiB)]),
      rssAnonStartMiB: mib(hub.start?.rssAnonKiB),
      rssAnonEndMiB: mib(hub.end?.rssAnonKiB),
      rssFileStartMiB: mib(hub.start?.rssFileKiB),
      rssFileEndMiB: mib(hub.end?.rssFileKiB),
      heapAfterGcStartMiB: mib(hub.startHeap?.heapUsedKiB),
      heapAfterGcEndMiB: mib(hub.endHeap?.heapUsedKiB),
      heapAfterGcSamplesMiB: hub.heapSamples.map((s) => [s.atS, mib(s.heapUsedKiB)]),
      /** V8 heap reserved (heapTotal) and off-heap memory (external), after the same GCs. */
      heapTotalStartMiB: mib(hub.startHeap?.heapTotalKiB),
      heapTotalEndMiB: mib(hub.endHeap?.heapTotalKiB),
      heapTotalBeforeGcSamplesMiB: hub.heapSamples.map((s) => [s.atS, mib(s.heapTotalBeforeGcKiB)]),
      externalStartMiB: mib(hub.startHeap?.externalKiB),
      externalEndMiB: mib(hub.endHeap?.externalKiB),
      listedInstancesAtEnd: hub.listedInstancesAtEnd,
      warnings: hub.logTally,
    },
  };
}

/** Whether the run passed: nothing hung, no wrong value, the hub stayed up, it ran to the end. */
export function isPass(summary) {
  return summary.calls.hung === 0 && summary.calls.wrongValues === 0 && !summary.hubDied && !summary.interrupted;
}

/** The summary as an aligned plain-text table. */
export function renderTable(s) {
  const o = s.options;
  const codes = Object.entries(s.calls.rejectedByCode)
    .sort((a, b) => b[1] - a[1])
    .map(([code, n]) => {
      const sel = s.calls.rejectedAt.selection[code] ?? 0;
      return `${code} ${n}${sel ? ` (${sel} in selection)` : ''}`;
    })
    .join(', ');
  const pct = (n) => (s.calls.started ? `${((100 * n) / s.calls.started).toFixed(3)} %` : '');
  const l = s.calls.latencyMs;
  const clock = (at) => `${Math.floor(at / 60)}:${String(at % 60).padStart(2, '0')}`;
  const series = (pairs) => {
    const byMinute = pairs.filter(([at], i) => at % 60 === 0 || i === pairs.length - 1);
    // The last sample (taken after the grace period) may share its second with a minute mark.
    const kept = byMinute.filter(([at], i) => byMinute[i + 1]?.[0] !== at);
    return kept.map(([at, v]) => `${clock(at)} ${v}`).join(', ');
  };
  const warnings = Object.entries(s.hub.warnings).map(([k, n]) => `${k} x${n}`).join('; ') || 'none';
  const rows = [
    ['run', `${s.sendSeconds} s of calls at ${o.rate}/s, ${o.workers} workers, a kill every ${o.killEverySec} s, call timeout ${o.timeoutSec} s${s.interrupted ? ' (INTERRUPTED)' : ''}`],
    ['machine', `node ${s.machine.node}, ${s.machine.cpu}, ${s.machine.cores} cores, ${s.machine.ramGiB} GiB RAM`],
    ['code', `commit ${s.code.commit}${s.code.isPackagesDirty ? ', packages/ modified' : ''}${s.code.isDistRebuiltDuringRun ? '; WARNING: dist/ was rebuilt during the run, so later workers ran other code' : ''}`],
    ['load average', `${s.loadAverage.start} at start, ${s.loadAverage.end} at end (1 min)`],
    ['calls started', String(s.calls.started)],
    ['  resolved', `${s.calls.resolved}  ${pct(s.calls.resolved)}`],
    ['  rejected', `${s.calls.rejected}  ${pct(s.calls.rejected)}${codes ? `  ${codes}` : ''}`],
    ['  hung', `${s.calls.hung}  (neither resolved nor rejected within ${Math.round(s.calls.graceMs / 1000)} s of the last call sent)`],
    ['  wrong values', String(s.calls.wrongValues)],
    ['latency (resolved)', `p50 ${l.p50} ms, p99 ${l.p99} ms, p99.9 ${l.p999} ms, max ${l.max} ms`],
    ['worker kills', `${s.workers.kills.SIGKILL + s.workers.kills.SIGTERM}  (SIGKILL ${s.workers.kills.SIGKILL}, SIGTERM ${s.workers.kills.SIGTERM})`],
    ['workers started', `${s.workers.started}  (median ready ${s.workers.readyMsMedian} ms; ${s.workers.startFailures} failed to start; ${s.workers.unexpectedExits.length} exited unexpectedly)`],
    ['hub RSS', `start ${s.hub.rssStartMiB} MiB, end ${s.hub.rssEndMiB} MiB  (min ${s.hub.rssMinMiB}, max ${s.hub.rssMaxMiB}, peak ${s.hub.peakRssMiB} MiB)`],
    ['  anonymous / file', `${s.hub.rssAnonStartMiB} -> ${s.hub.rssAnonEndMiB} MiB / ${s.hub.rssFileStartMiB} -> ${s.hub.rssFileEndMiB} MiB`],
    ['hub RSS by minute', series(s.hub.rssSamplesMiB)],
    ['hub heap after GC', `live ${s.hub.heapAfterGcStartMiB} -> ${s.hub.heapAfterGcEndMiB} MiB, reserved ${s.hub.heapTotalStartMiB} -> ${s.hub.heapTotalEndMiB} MiB, external ${s.hub.externalStartMiB} -> ${s.hub.externalEndMiB} MiB`],
    ['  live, by minute', series(s.hub.heapAfterGcSamplesMiB)],
    ['  reserved before GC', series(s.hub.heapTotalBeforeGcSamplesMiB)],
    ['registry at end', `${s.hub.listedInstancesAtEnd} "soak" instances listed, ${s.workers.aliveAtEnd} workers alive`],
    ['hub warnings', warnings],
    ['hub', s.hubDied ? `DIED: ${s.hubDied}` : 'up throughout'],
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  return rows.map(([k, v]) => `${k.padEnd(width)}  ${v}`).join('\n');
}
