/**
 * Health endpoints, with Hypha's names: `GET /health/liveness` (the process serves requests) and
 * `GET /health/readiness` (the hub accepts clients and calls). Both answer 200 with
 * `{status: "OK", ...}`, or 503 with `{status: "DOWN", detail}` once the hub is shutting down.
 * `GET /health` is the readiness answer, kept for existing probes.
 */
import type { ServerResponse } from 'node:http';
import { sendJson } from './respond.js';

/** What the health endpoints read from the hub. */
export interface HealthSource {
  /** True from the moment the hub starts closing. */
  isClosing(): boolean;
  /** True once the hub listens and its manager is attached. */
  isReady(): boolean;
  clients(): number;
  services(): number;
  /** Milliseconds since the hub started listening. */
  uptimeMs(): number;
}

/** Health paths. */
export const HEALTH_PATHS = ['/health', '/health/liveness', '/health/readiness'] as const;

/** Answers a health path. */
export function serveHealth(res: ServerResponse, path: string, source: HealthSource): void {
  const uptime_s = Math.round(source.uptimeMs() / 100) / 10;
  if (source.isClosing()) {
    sendJson(res, 503, { status: 'DOWN', detail: 'the hub is shutting down', uptime_s });
    return;
  }
  if (path === '/health/liveness') {
    sendJson(res, 200, { status: 'OK', uptime_s });
    return;
  }
  if (!source.isReady()) {
    sendJson(res, 503, { status: 'DOWN', detail: 'the hub is starting', uptime_s });
    return;
  }
  sendJson(res, 200, { status: 'OK', uptime_s, clients: source.clients(), services: source.services() });
}
