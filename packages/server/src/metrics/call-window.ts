/**
 * Per-instance call figures, kept cheap on the hot path: plain counters, a fixed histogram, and a
 * ring of the most recent calls. Percentiles and success rates are computed when someone reads
 * them (a status request or a scrape), never per call.
 */

/** Upper bounds (seconds) of the call latency histogram, Prometheus style (`le`). */
export const LATENCY_BUCKETS_S: readonly number[] = [
  0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30,
];

/** Calls remembered per instance for recent-window figures. */
export const RECENT_CALLS = 256;

/** How a call the hub routed ended. */
export type CallOutcome = 'ok' | 'error' | 'closed';

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

/**
 * Call outcomes, latency histogram and recent calls of one instance (the calls in flight are in
 * its `InstanceState`).
 */
export class CallWindow {
  /** Calls that ended, by outcome. */
  ok = 0;
  errors = 0;
  closed = 0;
  /** Histogram: counts per bucket of {@link LATENCY_BUCKETS_S} plus one for +Inf, the sum in seconds. */
  readonly buckets = new Float64Array(LATENCY_BUCKETS_S.length + 1);
  latencySumS = 0;
  #latencyMs: Float32Array | undefined;
  #endedAt: Float64Array | undefined;
  #failed: Uint8Array | undefined;
  #next = 0;
  #count = 0;

  /** Every call that ended, whatever its outcome. */
  get calls(): number {
    return this.ok + this.errors + this.closed;
  }

  /** A call ended after `latencyMs`, at `nowMs` (the hub's clock). */
  ended(outcome: CallOutcome, latencyMs: number, nowMs: number): void {
    if (outcome === 'ok') this.ok++;
    else if (outcome === 'error') this.errors++;
    else this.closed++;
    const seconds = latencyMs / 1000;
    this.latencySumS += seconds;
    let i = 0;
    while (i < LATENCY_BUCKETS_S.length && seconds > (LATENCY_BUCKETS_S[i] ?? Infinity)) i++;
    this.buckets[i] = (this.buckets[i] ?? 0) + 1;
    // The ring is allocated with the first call: idle instances cost a few numbers only.
    this.#latencyMs ??= new Float32Array(RECENT_CALLS);
    this.#endedAt ??= new Float64Array(RECENT_CALLS);
    this.#failed ??= new Uint8Array(RECENT_CALLS);
    this.#latencyMs[this.#next] = latencyMs;
    this.#endedAt[this.#next] = nowMs;
    this.#failed[this.#next] = outcome === 'ok' ? 0 : 1;
    this.#next = (this.#next + 1) % RECENT_CALLS;
    if (this.#count < RECENT_CALLS) this.#count++;
  }

  /** Figures of the calls that ended within `windowMs` before `nowMs`. */
  recent(nowMs: number, windowMs: number): RecentSummary {
    const latencies: number[] = [];
    let errors = 0;
    for (let k = 0; k < this.#count; k++) {
      if (nowMs - (this.#endedAt?.[k] ?? 0) > windowMs) continue;
      latencies.push(this.#latencyMs?.[k] ?? 0);
      errors += this.#failed?.[k] ?? 0;
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
  lastLatencies(count: number): number[] {
    const n = Math.min(count, this.#count);
    const out: number[] = [];
    for (let k = n; k > 0; k--) out.push(this.#latencyMs?.[(this.#next - k + RECENT_CALLS) % RECENT_CALLS] ?? 0);
    return out;
  }
}

/** Nearest-rank percentile of sorted values, rounded to microseconds. */
function percentile(sorted: readonly number[], q: number): number {
  const rank = Math.max(1, Math.ceil(q * sorted.length));
  return Math.round((sorted[rank - 1] as number) * 1000) / 1000;
}
