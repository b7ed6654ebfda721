/**
 * The live state of one service instance, kept on its registry record and updated as calls and
 * answers pass through the router (`in-flight.ts` matches each answer to its call) and as probes
 * and reports come in. Strategies and health read it; nothing here does I/O.
 */

import { callClockMs, createCallWindow, noteCallEnded, type CallWindow } from './metrics/call-window.js';

/** What the hub believes about an instance's health. */
export type HealthState = 'unknown' | 'healthy' | 'unhealthy';

/** One metric value an instance gave (a probe answer or a report), with the hub time it stands for. */
export interface MetricValue {
  /** The number; undefined when the instance answered something else (which counts as unknown). */
  value: number | undefined;
  /** Hub time, ms: when the probe that brought it was sent. */
  at: number;
}

/** Live state of one service instance. */
export interface InstanceState {
  /** Calls routed to it and not answered yet. */
  inFlight: number;
  /** Calls routed to it in all. */
  routed: number;
  /** Calls it answered with an error (`reject`). */
  errors: number;
  /** Moving average (EWMA) of its answer latency, ms; undefined before its first answer. */
  latencyMs: number | undefined;
  /**
   * Peak-EWMA of its answer latency, ms (what `balance:least_latency` reads): jumps up to a slower
   * answer at once, comes down to faster ones only as time passes. Undefined before its first answer.
   */
  peakLatencyMs: number | undefined;
  /** Hub time (ms) of the answer that last updated `peakLatencyMs`. */
  peakLatencyAt: number;
  /** The last value of each metric function asked of it, by function name. */
  metrics: Record<string, MetricValue>;
  health: HealthState;
  /**
   * Whether its worker is draining (`health/draining.ts`): it takes no new calls, those in
   * flight run to their end, then it leaves.
   */
  draining: boolean;
  /** Outcomes, latency histogram and recent calls, for metrics and status (`metrics/call-window.ts`). */
  calls: CallWindow;
}

/** Weight of the newest sample in the latency average (about the last ten calls count). */
export const LATENCY_EWMA_WEIGHT = 0.2;

/**
 * Time constant of the peak-EWMA, ms: an old peak weighs e^-1 (37 %) after this long, about
 * half after 7 s (Finagle's and Linkerd's decay time).
 */
export const PEAK_LATENCY_DECAY_MS = 10_000;

/** The state of an instance that has seen nothing yet. */
export function createInstanceState(): InstanceState {
  return {
    inFlight: 0,
    routed: 0,
    errors: 0,
    latencyMs: undefined,
    peakLatencyMs: undefined,
    peakLatencyAt: 0,
    // No prototype: metric names come from callers (`select:min:__proto__` is a valid FN).
    metrics: Object.create(null) as Record<string, MetricValue>,
    health: 'unknown',
    draining: false,
    calls: createCallWindow(),
  };
}

/** A call was routed to the instance. */
export function noteCallRouted(state: InstanceState): void {
  state.inFlight++;
  state.routed++;
}

/** A call routed to the instance was answered at hub time `now` after `latencyMs`, with an error or not. */
export function noteCallAnswered(state: InstanceState, latencyMs: number, isError: boolean, now: number): void {
  if (state.inFlight > 0) state.inFlight--;
  if (isError) state.errors++;
  noteCallEnded(state.calls, isError ? 'error' : 'ok', latencyMs, now);
  state.latencyMs = state.latencyMs === undefined ? latencyMs : state.latencyMs + LATENCY_EWMA_WEIGHT * (latencyMs - state.latencyMs);
  const peak = state.peakLatencyMs;
  if (peak === undefined || latencyMs >= peak) {
    state.peakLatencyMs = latencyMs;
  } else {
    // The weight of the old value falls with the time since it was set (answers come unevenly).
    const kept = decayFactor(Math.max(now - state.peakLatencyAt, 0));
    state.peakLatencyMs = peak * kept + latencyMs * (1 - kept);
  }
  state.peakLatencyAt = now;
}

/**
 * The peak-EWMA latency of an instance as of hub time `now`, ms: the last value, decayed toward
 * zero for the time since (so an instance not called for a while gets tried again); undefined
 * before its first answer.
 */
export function peakLatencyNow(state: InstanceState, now: number): number | undefined {
  const peak = state.peakLatencyMs;
  if (peak === undefined || now <= state.peakLatencyAt) return peak;
  return peak * decayFactor(now - state.peakLatencyAt);
}

/**
 * e^(-ageMs / PEAK_LATENCY_DECAY_MS). Strategies read it for every candidate on every pick, and an
 * instance under load answered a moment ago: below 1 % of the decay time, 1 - x is e^-x to within
 * 0.005 % and costs no Math.exp.
 */
function decayFactor(ageMs: number): number {
  const x = ageMs / PEAK_LATENCY_DECAY_MS;
  return x < 0.01 ? 1 - x : Math.exp(-x);
}

/** A call routed to the instance failed because the instance left before answering. */
export function noteCallClosed(state: InstanceState, latencyMs: number, nowMs = callClockMs()): void {
  if (state.inFlight > 0) state.inFlight--;
  noteCallEnded(state.calls, 'closed', latencyMs, nowMs);
}

/** A call routed to the instance is no longer followed (its caller left, or its entry went stale). */
export function noteCallForgotten(state: InstanceState): void {
  if (state.inFlight > 0) state.inFlight--;
}

/**
 * The instance gave `value` for metric `name` as of hub time `at` (undefined: not a number); an
 * older value never replaces a newer one, however late it arrives.
 */
export function noteMetric(state: InstanceState, name: string, value: number | undefined, at: number): void {
  const last = state.metrics[name];
  if (last && last.at > at) return;
  state.metrics[name] = { value, at };
}

/**
 * The instance's value of metric `name` at hub time `now` if it is younger than `maxAgeMs`;
 * undefined when it is older, was not a number, or never came (unknown, never 0).
 */
export function freshMetric(state: InstanceState, name: string, now: number, maxAgeMs: number): number | undefined {
  const last = state.metrics[name];
  return last !== undefined && now - last.at < maxAgeMs ? last.value : undefined;
}
