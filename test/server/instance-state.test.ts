import { describe, expect, it } from 'vitest';
import {
  createInstanceState,
  LATENCY_EWMA_WEIGHT,
  PEAK_LATENCY_DECAY_MS,
  peakLatencyNow,
  noteCallAnswered,
  noteCallForgotten,
  noteCallRouted,
  noteMetric,
  freshMetric,
} from '../../packages/server/src/instance-state.js';

describe('instance state', () => {
  it('counts calls routed, in flight and answered with errors', () => {
    const state = createInstanceState();
    noteCallRouted(state);
    noteCallRouted(state);
    noteCallRouted(state);
    expect(state).toMatchObject({ inFlight: 3, routed: 3, errors: 0 });
    noteCallAnswered(state, 10, false, 0);
    noteCallAnswered(state, 10, true, 0);
    noteCallForgotten(state);
    expect(state).toMatchObject({ inFlight: 0, routed: 3, errors: 1 });
    noteCallForgotten(state);
    expect(state.inFlight).toBe(0);
  });

  it('averages latency with an EWMA seeded by the first answer', () => {
    const state = createInstanceState();
    noteCallRouted(state);
    noteCallAnswered(state, 100, false, 0);
    expect(state.latencyMs).toBe(100);
    noteCallRouted(state);
    noteCallAnswered(state, 200, false, 0);
    expect(state.latencyMs).toBeCloseTo(100 + LATENCY_EWMA_WEIGHT * 100, 10);
  });

  it('keeps a peak-EWMA latency: up at once to a slower answer, down to faster ones as time passes', () => {
    const state = createInstanceState();
    expect(peakLatencyNow(state, 0)).toBeUndefined();
    noteCallRouted(state);
    noteCallAnswered(state, 10, false, 1_000);
    expect(state.peakLatencyMs).toBe(10);
    noteCallRouted(state);
    noteCallAnswered(state, 50, false, 1_001);
    expect(state.peakLatencyMs).toBe(50);
    // A fast answer right after the peak barely moves it (the decay within 1 % of its time is
    // computed as 1 - x: to within 0.005 % of e^-x)...
    noteCallRouted(state);
    noteCallAnswered(state, 1, false, 1_002);
    expect(state.peakLatencyMs).toBeCloseTo(50 - 49 * (1 - Math.exp(-1 / PEAK_LATENCY_DECAY_MS)), 5);
    expect(state.peakLatencyMs!).toBeGreaterThan(49.99);
    // ...one a decay time later takes it most of the way.
    noteCallRouted(state);
    const before = state.peakLatencyMs!;
    noteCallAnswered(state, 1, false, 1_002 + PEAK_LATENCY_DECAY_MS);
    expect(state.peakLatencyMs).toBeCloseTo(before * Math.exp(-1) + 1 * (1 - Math.exp(-1)), 10);
    // Read later, the last value has decayed toward zero; reading does not change it.
    const last = state.peakLatencyMs!;
    expect(peakLatencyNow(state, state.peakLatencyAt)).toBe(last);
    expect(peakLatencyNow(state, state.peakLatencyAt + 2 * PEAK_LATENCY_DECAY_MS)).toBeCloseTo(last * Math.exp(-2), 10);
    for (const age of [1, 10, 99, 100, 101, 1_000]) {
      const decayed = peakLatencyNow(state, state.peakLatencyAt + age)!;
      expect(Math.abs(decayed / (last * Math.exp(-age / PEAK_LATENCY_DECAY_MS)) - 1)).toBeLessThan(0.000_05);
    }
    expect(state.peakLatencyMs).toBe(last);
  });

  it('keeps the newest value of each metric, and any name', () => {
    const state = createInstanceState();
    noteMetric(state, 'get_load', 3, 1_000);
    noteMetric(state, 'get_load', 9, 500);
    noteMetric(state, '__proto__', 1, 1_000);
    expect(state.metrics.get_load).toEqual({ value: 3, at: 1_000 });
    expect(state.metrics.__proto__).toEqual({ value: 1, at: 1_000 });
    noteMetric(state, 'get_load', 4, 2_000);
    expect(state.metrics.get_load).toEqual({ value: 4, at: 2_000 });
  });

  it('counts a value only while it is younger than the max age, never as 0 after', () => {
    const state = createInstanceState();
    expect(freshMetric(state, 'get_load', 0, 2_000)).toBeUndefined();
    noteMetric(state, 'get_load', 0.5, 1_000);
    expect(freshMetric(state, 'get_load', 1_000, 2_000)).toBe(0.5);
    expect(freshMetric(state, 'get_load', 2_999, 2_000)).toBe(0.5);
    expect(freshMetric(state, 'get_load', 3_000, 2_000)).toBeUndefined();
    expect(freshMetric(state, 'other', 1_000, 2_000)).toBeUndefined();
    // A max age of 0 never reuses a value.
    expect(freshMetric(state, 'get_load', 1_000, 0)).toBeUndefined();
  });

  it('lets a newer non-number make the value unknown, but not an older one', () => {
    const state = createInstanceState();
    noteMetric(state, 'get_load', 0.5, 1_000);
    noteMetric(state, 'get_load', undefined, 900);
    expect(freshMetric(state, 'get_load', 1_100, 2_000)).toBe(0.5);
    noteMetric(state, 'get_load', undefined, 1_050);
    expect(freshMetric(state, 'get_load', 1_100, 2_000)).toBeUndefined();
    noteMetric(state, 'get_load', 0.7, 1_040);
    expect(freshMetric(state, 'get_load', 1_100, 2_000)).toBeUndefined();
  });
});
