import { describe, expect, it } from 'vitest';
import {
  callsEnded,
  createCallWindow,
  lastLatencies,
  LATENCY_BUCKETS_S,
  noteCallEnded,
  RECENT_CALLS,
  recentCalls,
} from '../../packages/server/src/metrics/call-window.js';

describe('CallWindow', () => {
  it('counts outcomes and fills the histogram bucket of each latency', () => {
    const w = createCallWindow();
    noteCallEnded(w, 'ok', 0.2, 0); // 0.0002 s: first bucket
    noteCallEnded(w, 'error', 3, 0); // 0.003 s: le 0.005
    noteCallEnded(w, 'closed', 60_000, 0); // past the last bound: +Inf
    expect({ ok: w.ok, errors: w.errors, closed: w.closed, calls: callsEnded(w) }).toEqual({ ok: 1, errors: 1, closed: 1, calls: 3 });
    expect(w.buckets[0]).toBe(1);
    expect(w.buckets[LATENCY_BUCKETS_S.indexOf(0.005)]).toBe(1);
    expect(w.buckets[LATENCY_BUCKETS_S.length]).toBe(1);
    expect(w.latencySumS).toBeCloseTo(60.0032, 6);
  });

  it('gives nearest-rank percentiles and the success rate of the calls within the window only', () => {
    const w = createCallWindow();
    // 100 calls of 1..100 ms at t=1000 (the 100th fails), and 10 slow old ones at t=0.
    for (let i = 0; i < 10; i++) noteCallEnded(w, 'ok', 5_000, 0);
    for (let ms = 1; ms <= 100; ms++) noteCallEnded(w, ms === 100 ? 'error' : 'ok', ms, 1_000);
    expect(recentCalls(w, 1_500, 600)).toEqual({ calls: 100, errors: 1, successRate: 0.99, p50Ms: 50, p95Ms: 95, p99Ms: 99 });
    expect(recentCalls(w, 1_500, 2_000).calls).toBe(110);
    expect(recentCalls(w, 10_000, 600)).toEqual({ calls: 0, errors: 0, successRate: null, p50Ms: null, p95Ms: null, p99Ms: null });
  });

  it('keeps the last RECENT_CALLS calls, oldest overwritten first, and the last latencies in order', () => {
    const w = createCallWindow();
    for (let i = 1; i <= RECENT_CALLS + 10; i++) noteCallEnded(w, 'ok', i, 0);
    expect(recentCalls(w, 0, 1).calls).toBe(RECENT_CALLS);
    expect(lastLatencies(w, 3)).toEqual([RECENT_CALLS + 8, RECENT_CALLS + 9, RECENT_CALLS + 10]);
    expect(lastLatencies(createCallWindow(), 3)).toEqual([]);
  });
});
