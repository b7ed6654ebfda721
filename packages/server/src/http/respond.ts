/**
 * HTTP answers of the hub: JSON (or msgpack when asked) and errors as JSON with a code and a
 * status. Errors keep Hypha's body shape (`success: false`, `detail`) and add Mycel's `code`.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { MycelError, packValue, type ErrorCode } from '@mycel/protocol';

/** The content type of msgpack requests and answers (Hypha's). */
export const MSGPACK_TYPE = 'application/msgpack';

/** HTTP status of each error code. */
export const HTTP_STATUS_OF_CODE: Readonly<Record<ErrorCode, number>> = {
  BAD_MESSAGE: 400,
  BAD_MODE: 400,
  PERMISSION_DENIED: 403,
  SERVICE_NOT_FOUND: 404,
  METHOD_NOT_FOUND: 404,
  TIMEOUT: 504,
  // The instance the call went to disconnected before it answered.
  CONNECTION_CLOSED: 502,
  // A handshake refusal; no HTTP request meets it, but the table covers every code.
  CLIENT_ID_IN_USE: 409,
  // No capacity: the instance's in-flight limit, the manager's per-caller limit, a closing hub.
  LIMIT_EXCEEDED: 503,
  // The instance named is draining: it takes no new calls; another may.
  DRAINING: 503,
  REMOTE_ERROR: 500,
  INTERNAL: 500,
};

/** An error that carries its own HTTP status (413, 414, 405: statuses no error code maps to). */
export class HttpError extends MycelError {
  readonly status: number;

  constructor(status: number, code: ErrorCode, message: string) {
    super(code, message);
    this.status = status;
  }
}

/** Whether the caller asked for msgpack: by `Accept`, or by sending msgpack (as Hypha decides). */
export function wantsMsgpack(req: IncomingMessage): boolean {
  const accept = req.headers.accept ?? '';
  const type = req.headers['content-type'] ?? '';
  return accept.includes(MSGPACK_TYPE) || type.startsWith(MSGPACK_TYPE);
}

/** Writes `value` as JSON, or as msgpack when `msgpack` is set. */
export function sendValue(res: ServerResponse, status: number, value: unknown, msgpack = false): void {
  if (msgpack) {
    const body = packValue(value);
    res.writeHead(status, { 'content-type': MSGPACK_TYPE, 'content-length': body.length });
    res.end(body);
    return;
  }
  sendJson(res, status, value);
}

/** Writes `value` as JSON. Bytes become base64 strings; functions become `{type: "function"}`. */
export function sendJson(res: ServerResponse, status: number, value: unknown): void {
  const body = Buffer.from(JSON.stringify(value ?? null, jsonReplacer), 'utf8');
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': body.length });
  res.end(body);
}

/** Writes an error: `{success: false, detail, code, status}` with the status of its code. */
export function sendError(res: ServerResponse, error: unknown): void {
  const err = MycelError.from(error);
  const status = err instanceof HttpError ? err.status : HTTP_STATUS_OF_CODE[err.code];
  if (res.headersSent) {
    res.destroy();
    return;
  }
  sendJson(res, status, { success: false, detail: err.message, code: err.code, status });
}

function jsonReplacer(this: unknown, key: string, value: unknown): unknown {
  // A Buffer has already been through its toJSON here; the holder still has the original.
  const raw = (this as Record<string, unknown>)[key];
  if (raw instanceof Uint8Array) return Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength).toString('base64');
  if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64');
  if (typeof value === 'function') return { type: 'function', function: { name: value.name || 'function' } };
  if (typeof value === 'bigint') return value.toString();
  return value;
}
