/**
 * The status of a workspace as `GET /{ws}/status` answers it, and its text table (shared by
 * `mycel status` and `mycel watch`).
 */
import { formatTable } from './table.js';

/** One instance in the status. */
export interface InstanceStatus {
  id: string;
  client_id: string;
  state: string;
  in_flight: number;
  calls: number;
  errors: number;
  recent_calls: number;
  success_rate: number | null;
  p50_ms: number | null;
  p95_ms: number | null;
  p99_ms: number | null;
  share: number | null;
}

/** One service in the status. */
export interface ServiceStatus {
  id: string;
  instances: InstanceStatus[];
}

/** The status of a workspace. */
export interface WorkspaceStatus {
  workspace: string;
  window_s: number;
  services: ServiceStatus[];
}

/** The status table, limited to `service` when given. */
export function statusTable(status: WorkspaceStatus, service: string | undefined): string {
  const services = status.services.filter((s) => service === undefined || s.id === service);
  if (services.length === 0) {
    return service === undefined ? `no services in workspace "${status.workspace}"` : `no service "${service}" in workspace "${status.workspace}"`;
  }
  const rows: string[][] = [];
  for (const s of services) {
    for (const i of s.instances) {
      rows.push([
        s.id,
        i.client_id,
        i.state,
        String(i.in_flight),
        String(i.calls),
        String(i.errors),
        i.success_rate === null ? '-' : `${(i.success_rate * 100).toFixed(1)}%`,
        ms(i.p50_ms),
        ms(i.p95_ms),
        ms(i.p99_ms),
        i.share === null ? '-' : `${(i.share * 100).toFixed(0)}%`,
      ]);
    }
  }
  const headers = ['SERVICE', 'CLIENT', 'STATE', 'IN_FLIGHT', 'CALLS', 'ERRORS', 'SUCCESS', 'P50', 'P95', 'P99', 'SHARE'];
  return `${formatTable(headers, rows)}\n(success, latency and share over the last ${status.window_s}s)`;
}

function ms(value: number | null): string {
  if (value === null) return '-';
  return value >= 100 ? `${value.toFixed(0)}ms` : `${value.toFixed(2)}ms`;
}
