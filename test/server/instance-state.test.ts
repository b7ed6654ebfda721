import { describe, expect, it } from 'vitest';
import {
  createInstanceState,
  LATENCY_EWMA_WEIGHT,
  noteCallAnswered,
  noteCallForgotten,
  noteCallRouted,
  noteMetric,
} from '../../packages/server/src/instance-state.js';

describe('instance state', () => {
  it('counts calls routed, in flight and answered with errors', () => {
    const state = createInstanceState();
    noteCallRouted(state);
    noteCallRouted(state);
    noteCallRouted(state);
    expect(state).toMatchObject({ inFlight: 3, routed: 3, errors: 0 });
    noteCallAnswered(state, 10, false);
    noteCallAnswered(state, 10, true);
    noteCallForgotten(state);
    expect(state).toMatchObject({ inFlight: 0, routed: 3, errors: 1 });
    noteCallForgotten(state);
    expect(state.inFlight).toBe(0);
  });

  it('averages latency with an EWMA seeded by the first answer', () => {
    const state = createInstanceState();
    noteCallRouted(state);
    noteCallAnswered(state, 100, false);
    expect(state.latencyMs).toBe(100);
    noteCallRouted(state);
    noteCallAnswered(state, 200, false);
    expect(state.latencyMs).toBeCloseTo(100 + LATENCY_EWMA_WEIGHT * 100, 10);
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
});
