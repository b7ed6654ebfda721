/**
 * The status of a workspace per service and instance, as the hub answers `GET /{ws}/status` and
 * the manager's `get_status`: the shape both sides of that answer share (the hub builds it, the
 * `mycel` command and the dashboard read it). A figure the hub does not have is null.
 */

/**
 * States an instance can be in: `up` (connected and registered) or `draining` (its worker asked
 * to leave: no new calls, those in flight finish); health checks, outlier ejection and slow start
 * will add `unhealthy`, `ejected` and `slow_start`.
 */
export const INSTANCE_STATES = ['up', 'draining'] as const;

/** One instance in the status. */
export interface InstanceStatus {
  /** Full id, `workspace/client:service`. */
  id: string;
  client_id: string;
  state: (typeof INSTANCE_STATES)[number];
  /** The hub's health verdict (`unknown` until health checks exist). */
  health: string;
  in_flight: number;
  /** Calls routed to it since it registered. */
  routed: number;
  /** Calls that ended: answered, failed, or lost when it left. */
  calls: number;
  /** Calls answered with an error. */
  errors: number;
  /** Over the recent window: */
  recent_calls: number;
  success_rate: number | null;
  p50_ms: number | null;
  p95_ms: number | null;
  p99_ms: number | null;
  /** Its part of the service's recent calls (0..1), null when the service had none. */
  share: number | null;
  /** Moving average of its latency (ms), null before its first answer. */
  latency_avg_ms: number | null;
  /** The last answers of `select:` probes, by function, with their age in seconds. */
  last_values: Record<string, { value: number; age_s: number }>;
  /** The latencies (ms) of its last calls, oldest first, for a sparkline. */
  latencies_ms: number[];
}

/** One service in the status. */
export interface ServiceStatus {
  id: string;
  instances: InstanceStatus[];
}

/** The status of a workspace. */
export interface WorkspaceStatus {
  workspace: string;
  hub: { id: string; version: string; uptime_s: number };
  /** Length of the recent window, seconds. */
  window_s: number;
  /** Every state {@link InstanceStatus.state} can take on this hub. */
  states: readonly string[];
  services: ServiceStatus[];
}
