/**
 * Per-instance call figures, kept cheap on the hot path: plain counters, a fixed histogram, and a
 * ring of the most recent calls. Percentiles and success rates are computed when someone reads
 * them (a status request or a scrape), never per call. Plain data (the registry holds it), with
 * functions beside it, as `instance-state.ts` does.
 */

/** Upper bounds (seconds) of the call latency histogram, Prometheus style (`le`). */
export const LATENCY_BUCKETS_S: readonly number[] = [
  0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30,
];

/**
 * The hub's time for calls: milliseconds since the epoch, like `Date.now()` (the balancing
 * strategies compare with it), but with the sub-millisecond resolution of `performance.now()`:
 * calls through a hub often take less than a millisecond.
 */
export function callClockMs(): number {
  return performance.timeOrigin + performance.now();
}

/** Calls remembered per instance for recent-window figures. */
export const RECENT_CALLS = 256;

/** How a call the hub routed ended. */
export type CallOutcome = 'ok' | 'error' | 'closed';

/** The most recent calls of an instance, oldest overwritten first. */
export interface RecentCalls {
  latencyMs: number[];
  /** When each ended, on the clock of call latencies (ms). */
  endedAt: number[];
  /** 1 when it failed (error or closed). */
  failed: number[];
  /** Where the next call goes. */
  next: number;
  /** How many slots hold a call. */
  count: number;
}

/**
 * Call outcomes, latency histogram and recent calls of one instance (the calls in flight are in
 * its `InstanceState`).
 */
export interface CallWindow {
  /** Calls that ended, by outcome. */
  ok: number;
  errors: number;
  closed: number;
  /** Histogram: counts per bucket of {@link LATENCY_BUCKETS_S}, plus one for +Inf. */
  buckets: number[];
  /** Sum of the latencies, seconds. */
  latencySumS: number;
  /** Allocated with the first call: idle instances cost a few numbers only. */
  recent: RecentCalls | null;
}

/** Figures over the recent window. */
export interface RecentSummary {
  /** Calls that ended in the window (at most {@link RECENT_CALLS}). */
  calls: number;
  errors: number;
  /** `(calls - errors) / calls`, or null with no calls. */
  successRate: number | null;
  /** Latency percentiles in milliseconds (nearest rank), null with no calls. */
  p50Ms: number | null;
  p95Ms: number | null;
  p99Ms: number | null;
}

/** The figures of an instance that has seen no call. */
export function createCallWindow(): CallWindow {
  return { ok: 0, errors: 0, closed: 0, buckets: new Array<number>(LATENCY_BUCKETS_S.length + 1).fill(0), latencySumS: 0, recent: null };
}

/** Every call that ended, whatever its outcome. */
export function callsEnded(window: CallWindow): number {
  return window.ok + window.errors + window.closed;
}

/** A call ended after `latencyMs`, at `nowMs` (the clock of call latencies). */
export function noteCallEnded(window: CallWindow, outcome: CallOutcome, latencyMs: number, nowMs: number): void {
  if (outcome === 'ok') window.ok++;
  else if (outcome === 'error') window.errors++;
  else window.closed++;
  const seconds = latencyMs / 1000;
  window.latencySumS += seconds;
  let i = 0;
  while (i < LATENCY_BUCKETS_S.length && seconds > (LATENCY_BUCKETS_S[i] ?? Infinity)) i++;
  window.buckets[i] = (window.buckets[i] ?? 0) + 1;
  const recent = (window.recent ??= {
    latencyMs: new Array<number>(RECENT_CALLS).fill(0),
    endedAt: new Array<number>(RECENT_CALLS).fill(0),
    failed: new Array<number>(RECENT_CALLS).fill(0),
    next: 0,
    count: 0,
  });
  recent.latencyMs[recent.next] = latencyMs;
  recent.endedAt[recent.next] = nowMs;
  recent.failed[recent.next] = outcome === 'ok' ? 0 : 1;
  recent.next = (recent.next + 1) % RECENT_CALLS;
  if (recent.count < RECENT_CALLS) recent.count++;
}

/** Figures of the calls that ended within `windowMs` before `nowMs`. */
export function recentCalls(window: CallWindow, nowMs: number, windowMs: number): RecentSummary {
  const latencies: number[] = [];
  let errors = 0;
  const recent = window.recent;
  for (let k = 0; recent && k < recent.count; k++) {
    if (nowMs - (recent.endedAt[k] ?? 0) > windowMs) continue;
    latencies.push(recent.latencyMs[k] ?? 0);
    errors += recent.failed[k] ?? 0;
  }
  const calls = latencies.length;
  if (calls === 0) return { calls, errors, successRate: null, p50Ms: null, p95Ms: null, p99Ms: null };
  latencies.sort((a, b) => a - b);
  return {
    calls,
    errors,
    successRate: (calls - errors) / calls,
    p50Ms: percentile(latencies, 0.5),
    p95Ms: percentile(latencies, 0.95),
    p99Ms: percentile(latencies, 0.99),
  };
}

/** The last `count` latencies (ms) in the order they ended, for a sparkline. */
export function lastLatencies(window: CallWindow, count: number): number[] {
  const recent = window.recent;
  if (!recent) return [];
  const n = Math.min(count, recent.count);
  const out: number[] = [];
  for (let k = n; k > 0; k--) out.push(recent.latencyMs[(recent.next - k + RECENT_CALLS) % RECENT_CALLS] ?? 0);
  return out;
}

/** Nearest-rank percentile of sorted values, rounded to microseconds. */
function percentile(sorted: readonly number[], q: number): number {
  const rank = Math.max(1, Math.ceil(q * sorted.length));
  return Math.round((sorted[rank - 1] ?? 0) * 1000) / 1000;
}
