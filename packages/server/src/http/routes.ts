/**
 * The hub's HTTP side: one handler that sends each request to its route. WebSocket upgrades on
 * `/ws` never come here.
 *
 * | route | file |
 * | --- | --- |
 * | `/health`, `/health/liveness`, `/health/readiness` | `health-routes.ts` |
 * | `/metrics` | `../metrics/hub-metrics.ts` |
 * | `/{ws}/services...` | `service-routes.ts` |
 * | `/`, `/{ws}/status`, `/{ws}/status/stream` | `status-routes.ts` |
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { MycelError } from '@mycel/protocol';
import type { HubMetrics } from '../metrics/hub-metrics.js';
import type { ServiceGateway } from './gateway.js';
import { HEALTH_PATHS, serveHealth, type HealthSource } from './health-routes.js';
import { HttpError, sendError } from './respond.js';
import { serveServiceRoute, type HttpLimits } from './service-routes.js';
import type { StatusRoutes } from './status-routes.js';

/** Options of {@link createHttpHandler}. */
export interface HttpRoutesOptions {
  gateway: ServiceGateway;
  status: StatusRoutes;
  health: HealthSource;
  /** Undefined when metrics are turned off (`/metrics` is then 404). */
  metrics: HubMetrics | undefined;
  limits: HttpLimits;
  logger: Logger;
}

/** Route names of the `mycel_http_requests_total` metric. */
type RouteName = 'health' | 'metrics' | 'services' | 'status' | 'dashboard' | 'not_found';

/** Builds the request handler of the hub's HTTP server. Never throws. */
export function createHttpHandler(options: HttpRoutesOptions): (req: IncomingMessage, res: ServerResponse) => void {
  const { gateway, status, health, metrics, limits, logger } = options;
  return (req, res) => {
    let route: RouteName = 'not_found';
    if (metrics) res.once('finish', () => metrics.httpRequest(route, res.statusCode));
    try {
      const url = new URL(req.url ?? '/', 'http://hub');
      const path = url.pathname;
      if ((HEALTH_PATHS as readonly string[]).includes(path)) {
        route = 'health';
        serveHealth(res, path, health);
        return;
      }
      if (path === '/metrics' && metrics) {
        route = 'metrics';
        metrics.text().then(
          (text) => {
            res.writeHead(200, { 'content-type': metrics.contentType });
            res.end(text);
          },
          (error: unknown) => {
            logger.warn({ err: MycelError.from(error).message }, 'metrics collection failed');
            sendError(res, error);
          },
        );
        return;
      }
      if (serveServiceRoute(req, res, url, gateway, limits)) {
        route = 'services';
        return;
      }
      if (req.method === 'GET' && status.serve(res, url)) {
        route = path === '/' ? 'dashboard' : 'status';
        return;
      }
      sendError(res, new HttpError(404, 'BAD_MESSAGE', `no route for ${req.method ?? 'GET'} ${path}`));
    } catch (error) {
      sendError(res, new HttpError(400, 'BAD_MESSAGE', `bad request: ${MycelError.from(error).message}`));
    }
  };
}
