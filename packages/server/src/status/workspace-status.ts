/**
 * The status of a workspace, per service and instance, as `GET /{ws}/status`, the manager's
 * `get_status`, `mycel status` and the dashboard show it. Read from the registry's live
 * instance state and each instance's recent calls (`metrics/call-window.ts`); nothing is
 * estimated or made up: a figure the hub does not have is null.
 */
import { INSTANCE_STATES, type InstanceStatus, type ServiceStatus, type WorkspaceStatus } from '@mycel/protocol';
import { callsEnded, lastLatencies, recentCalls } from '../metrics/call-window.js';
import type { Registry, ServiceRecord } from '../registry.js';

/** Latencies per instance kept for a sparkline. */
export const SPARKLINE_POINTS = 30;


/** What the status reads besides the registry. */
export interface StatusSource {
  registry: Registry;
  hub: { id: string; version: string };
  /** Milliseconds since the hub started. */
  uptimeMs(): number;
  /** The clock of call latencies (`callClockMs` in the hub). */
  callClockMs(): number;
  /** The wall clock of `last_values` (`Date.now()` in the hub). */
  wallClockMs(): number;
  /** Length of the recent window. */
  windowMs: number;
}

/** The status of `workspace`, limited to `serviceId` when given. Built-in services are left out. */
export function workspaceStatus(source: StatusSource, workspace: string, serviceId?: string): WorkspaceStatus {
  const now = source.callClockMs();
  const wallNow = source.wallClockMs();
  const groups = new Map<string, ServiceRecord[]>();
  for (const record of source.registry.list({ workspace, serviceId })) {
    if (record.serviceId === 'built-in') continue;
    const group = groups.get(record.serviceId) ?? [];
    group.push(record);
    groups.set(record.serviceId, group);
  }
  const services: ServiceStatus[] = [];
  for (const [id, records] of [...groups].sort(([a], [b]) => a.localeCompare(b))) {
    const instances = records.map((record) => instanceStatus(record, now, wallNow, source.windowMs));
    const total = instances.reduce((sum, i) => sum + i.recent_calls, 0);
    for (const instance of instances) instance.share = total === 0 ? null : round(instance.recent_calls / total, 4);
    services.push({ id, instances });
  }
  return {
    workspace,
    hub: { ...source.hub, uptime_s: round(source.uptimeMs() / 1000, 1) },
    window_s: source.windowMs / 1000,
    states: INSTANCE_STATES,
    services,
  };
}

function instanceStatus(record: ServiceRecord, now: number, wallNow: number, windowMs: number): InstanceStatus {
  const { state } = record;
  const recent = recentCalls(state.calls, now, windowMs);
  const last_values: InstanceStatus['last_values'] = {};
  for (const [name, metric] of Object.entries(state.metrics)) {
    // A last answer that was not a number is an unknown value: nothing to show.
    if (metric.value === undefined) continue;
    last_values[name] = { value: metric.value, age_s: round(Math.max(0, wallNow - metric.at) / 1000, 1) };
  }
  return {
    id: record.id,
    client_id: record.clientId,
    state: state.draining ? 'draining' : 'up',
    health: state.health,
    in_flight: state.inFlight,
    routed: state.routed,
    calls: callsEnded(state.calls),
    errors: state.errors,
    recent_calls: recent.calls,
    success_rate: recent.successRate === null ? null : round(recent.successRate, 4),
    p50_ms: recent.p50Ms,
    p95_ms: recent.p95Ms,
    p99_ms: recent.p99Ms,
    share: null,
    latency_avg_ms: state.latencyMs === undefined ? null : round(state.latencyMs, 3),
    last_values,
    latencies_ms: lastLatencies(state.calls, SPARKLINE_POINTS).map((ms) => round(ms, 3)),
  };
}

function round(value: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}
