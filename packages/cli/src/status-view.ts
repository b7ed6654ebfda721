/**
 * The text table of a workspace's status as `GET /{ws}/status` answers it (shared by
 * `mycel status` and `mycel watch`).
 */
import type { WorkspaceStatus } from '@mycel/client';
import { formatTable } from './table.js';

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
