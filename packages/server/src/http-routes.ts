/**
 * The hub's HTTP routes (everything but the WebSocket upgrade at `/ws`): a table from path to
 * handler, so a new route is one entry. Unknown paths get a JSON 404.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Registry } from './registry.js';

/** What the routes may read. */
export interface HttpRouteContext {
  readonly clients: ReadonlyMap<string, unknown>;
  readonly registry: Registry;
}

/** One route: answers a request. */
export type HttpRoute = (req: IncomingMessage, res: ServerResponse, context: HttpRouteContext) => void;

const health: HttpRoute = (_req, res, { clients, registry }) => {
  sendJson(res, 200, { status: 'OK', clients: clients.size, services: registry.size });
};

/** The routes by exact path. */
export const HTTP_ROUTES: ReadonlyMap<string, HttpRoute> = new Map([
  ['/health', health],
  ['/health/liveness', health],
  ['/health/readiness', health],
]);

/** The request listener of the hub's HTTP server. */
export function createHttpHandler(context: HttpRouteContext): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    const route = req.url === undefined ? undefined : HTTP_ROUTES.get(req.url);
    if (route) route(req, res, context);
    else sendJson(res, 404, { error: 'not found' });
  };
}

/** Writes `body` as a JSON response. */
export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}
