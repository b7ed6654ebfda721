/**
 * Hypha's HTTP service routes:
 *
 * - `GET /{ws}/services` (or `/{ws}/services/`): the services a caller in `ws` may see;
 * - `GET /{ws}/services/{svc}[?_mode=M]`: the info of the instance `M` picks;
 * - `GET|POST /{ws}/services/{svc}/{fn}[?_mode=M]`: calls `fn` (see `call-arguments.ts`).
 *
 * Answers are JSON, or msgpack when asked (`Accept` or a msgpack body); errors are
 * `{success: false, detail, code, status}` (`respond.ts`).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { isValidName, MycelError } from '@mycel/protocol';
import { argumentsFromBody, argumentsFromQuery } from './call-arguments.js';
import type { ServiceGateway } from './gateway.js';
import { readBody } from './read-body.js';
import { HttpError, sendError, sendValue, wantsMsgpack } from './respond.js';

/** Limits of the HTTP routes. */
export interface HttpLimits {
  /** Largest request body, in bytes; larger ones get 413. */
  maxBodyBytes: number;
  /** Longest query string, in characters; longer ones get 414. */
  maxQueryChars: number;
}

/** A request the service routes take: its workspace and the rest of its path. */
interface ServicePath {
  workspace: string;
  serviceId: string | undefined;
  functionPath: string | undefined;
}

/**
 * Serves `req` when its path is a service route, and returns whether it was one. Never throws:
 * every failure becomes an error answer.
 */
export function serveServiceRoute(
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  gateway: ServiceGateway,
  limits: HttpLimits,
): boolean {
  const path = servicePath(url.pathname);
  if (!path) return false;
  handle(req, res, url, path, gateway, limits).catch((error: unknown) => sendError(res, error));
  return true;
}

async function handle(
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  path: ServicePath | MycelError,
  gateway: ServiceGateway,
  limits: HttpLimits,
): Promise<void> {
  if (path instanceof MycelError) throw path;
  if (url.search.length > limits.maxQueryChars) {
    throw new HttpError(414, 'LIMIT_EXCEEDED', `query string longer than ${limits.maxQueryChars} characters`);
  }
  const { workspace, serviceId, functionPath } = path;
  const mode = url.searchParams.get('_mode') ?? undefined;
  const msgpack = wantsMsgpack(req);
  const method = req.method ?? 'GET';
  if (functionPath === undefined) {
    if (method !== 'GET') throw new HttpError(405, 'BAD_MESSAGE', `method ${method} not allowed: use GET`);
    const value = serviceId === undefined ? await gateway.listServices(workspace) : await gateway.serviceInfo(workspace, serviceId, mode);
    sendValue(res, 200, value, msgpack);
    return;
  }
  let args;
  if (method === 'GET') args = argumentsFromQuery(url.searchParams);
  else if (method === 'POST') args = argumentsFromBody(await readBody(req, limits.maxBodyBytes), req.headers['content-type']);
  else throw new HttpError(405, 'BAD_MESSAGE', `method ${method} not allowed: use GET or POST`);
  const result = await gateway.call({ workspace, serviceId: serviceId ?? '', functionPath, mode, ...args });
  sendValue(res, 200, result, msgpack);
}

/**
 * The parts of `/{ws}/services[/{svc}[/{fn}]]`, undefined when the path is no service route, or
 * an error when it is one with a bad part.
 */
function servicePath(pathname: string): ServicePath | MycelError | undefined {
  const parts = pathname.split('/');
  // ['', ws, 'services', svc?, fn?]
  if (parts.length < 3 || parts.length > 5 || parts[0] !== '' || parts[2] !== 'services') return undefined;
  let decoded: string[];
  try {
    decoded = parts.map((p) => decodeURIComponent(p));
  } catch {
    return new MycelError('BAD_MESSAGE', `path "${pathname}" is not valid percent-encoding`);
  }
  const [, workspace = '', , serviceId, functionPath] = decoded;
  if (!isValidName(workspace) || workspace.includes('*')) return new MycelError('BAD_MESSAGE', `invalid workspace "${workspace}"`);
  // `/{ws}/services/` lists, as Hypha's canonical form.
  if (serviceId === undefined || (serviceId === '' && functionPath === undefined)) {
    return { workspace, serviceId: undefined, functionPath: undefined };
  }
  if (serviceId === '') return new MycelError('BAD_MESSAGE', 'empty service id');
  if (serviceId.includes('/')) return new MycelError('BAD_MESSAGE', `invalid service id "${serviceId}"`);
  if (functionPath === '' || (functionPath !== undefined && !/^[A-Za-z_$][\w$]*(\.[A-Za-z_$][\w$]*)*$/.test(functionPath))) {
    return new MycelError('BAD_MESSAGE', `invalid function name "${functionPath}"`);
  }
  return { workspace, serviceId, functionPath };
}
