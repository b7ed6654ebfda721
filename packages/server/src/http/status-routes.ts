/**
 * Status over HTTP: `GET /{ws}/status[?service=S]` (JSON, `status/workspace-status.ts`),
 * `GET /{ws}/status/stream` (the same as server-sent events, one `status` event per interval),
 * and the dashboard page at `GET /`. Streams are bounded in number and end when the hub closes.
 */
import type { ServerResponse } from 'node:http';
import { isValidName } from '@mycel/protocol';
import { DASHBOARD_HTML } from '../dashboard/page.js';
import { workspaceStatus, type StatusSource } from '../status/workspace-status.js';
import { HttpError, sendError, sendJson } from './respond.js';

/** Options of {@link StatusRoutes}. */
export interface StatusRoutesOptions {
  source: StatusSource;
  /** Time between two events of a stream. */
  streamIntervalMs: number;
  /** Most streams open at once; more get 503. */
  maxStreams: number;
}

/** The status routes of one hub, with its open streams. */
export class StatusRoutes {
  readonly #options: StatusRoutesOptions;
  readonly #streams = new Set<ServerResponse>();

  constructor(options: StatusRoutesOptions) {
    this.#options = options;
  }

  /** Streams open now. */
  get streamCount(): number {
    return this.#streams.size;
  }

  /** Serves `path` when it is a status route; returns whether it was one. */
  serve(res: ServerResponse, url: URL): boolean {
    if (url.pathname === '/') {
      const body = Buffer.from(DASHBOARD_HTML, 'utf8');
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'content-length': body.length });
      res.end(body);
      return true;
    }
    const match = /^\/([^/]+)\/status(\/stream)?$/.exec(url.pathname);
    if (!match) return false;
    let workspace: string;
    try {
      workspace = decodeURIComponent(match[1] ?? '');
    } catch {
      workspace = '';
    }
    if (!isValidName(workspace) || workspace.includes('*')) {
      sendError(res, new HttpError(400, 'BAD_MESSAGE', `invalid workspace "${match[1] ?? ''}"`));
      return true;
    }
    const service = url.searchParams.get('service') ?? undefined;
    if (match[2]) this.#stream(res, workspace, service);
    else sendJson(res, 200, workspaceStatus(this.#options.source, workspace, service));
    return true;
  }

  /** Ends every stream (the hub is closing). */
  closeAll(): void {
    for (const res of this.#streams) res.end();
    this.#streams.clear();
  }

  #stream(res: ServerResponse, workspace: string, service: string | undefined): void {
    const { maxStreams, streamIntervalMs, source } = this.#options;
    if (this.#streams.size >= maxStreams) {
      sendError(res, new HttpError(503, 'LIMIT_EXCEEDED', `too many status streams open (limit ${maxStreams})`));
      return;
    }
    this.#streams.add(res);
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
    const push = () => {
      // A reader that does not keep up is skipped, not buffered for.
      if (res.writableLength > 1024 * 1024) return;
      res.write(`event: status\ndata: ${JSON.stringify(workspaceStatus(source, workspace, service))}\n\n`);
    };
    push();
    const timer = setInterval(push, streamIntervalMs);
    timer.unref();
    res.once('close', () => {
      clearInterval(timer);
      this.#streams.delete(res);
    });
  }
}
