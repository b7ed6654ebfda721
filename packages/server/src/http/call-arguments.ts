/**
 * Hypha's rules for the arguments of an HTTP call. A GET's query parameters are keyword
 * arguments (numbers parsed, values starting with `{` parsed as JSON). A POST body (JSON, or
 * msgpack by content type) is keyword arguments when it is an object, positional arguments when
 * it is an array, and one argument otherwise; an empty body is no arguments. `_mode` is never an
 * argument: it picks the instance.
 */
import { MycelError, unpackValue } from '@mycel/protocol';
import { HttpError, MSGPACK_TYPE } from './respond.js';

/** The arguments of one call. */
export interface CallArguments {
  args: unknown[];
  /** Keyword arguments (sent as `with_kwargs`), when the request named them. */
  kwargs: Record<string, unknown> | undefined;
}

/** Query parameters that steer the call instead of being arguments. */
export const CONTROL_PARAMS: ReadonlySet<string> = new Set(['_mode']);

const INTEGER = /^\d+$/;
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** Keyword arguments from a GET's query parameters (the last of repeated names wins). */
export function argumentsFromQuery(params: URLSearchParams): CallArguments {
  const kwargs: Record<string, unknown> = {};
  for (const [key, raw] of params) {
    if (CONTROL_PARAMS.has(key)) continue;
    kwargs[key] = queryValue(key, raw);
  }
  return { args: [], kwargs };
}

/** Arguments from a POST body of `contentType` (JSON when absent). */
export function argumentsFromBody(body: Buffer, contentType: string | undefined): CallArguments {
  if (body.length === 0) return { args: [], kwargs: undefined };
  const type = (contentType ?? 'application/json').split(';')[0]?.trim().toLowerCase();
  let value: unknown;
  if (type === MSGPACK_TYPE) {
    try {
      value = unpackValue(body);
    } catch (error) {
      throw new MycelError('BAD_MESSAGE', `invalid msgpack body: ${MycelError.from(error).message}`);
    }
  } else if (type === 'application/json' || type === 'text/plain') {
    try {
      value = JSON.parse(body.toString('utf8'));
    } catch (error) {
      throw new MycelError('BAD_MESSAGE', `invalid JSON body: ${(error as Error).message}`);
    }
  } else {
    throw new HttpError(415, 'BAD_MESSAGE', `unsupported content type "${type}": expected application/json or ${MSGPACK_TYPE}`);
  }
  if (Array.isArray(value)) return { args: value, kwargs: undefined };
  if (value !== null && typeof value === 'object' && !(value instanceof Uint8Array)) {
    const kwargs = { ...(value as Record<string, unknown>) };
    for (const key of CONTROL_PARAMS) delete kwargs[key];
    return { args: [], kwargs };
  }
  return { args: [value], kwargs: undefined };
}

function queryValue(key: string, raw: string): unknown {
  if (INTEGER.test(raw)) {
    const n = Number(raw);
    // Past 2^53 a number would silently change; the text is kept instead.
    return Number.isSafeInteger(n) ? n : raw;
  }
  if (DECIMAL.test(raw)) return Number(raw);
  if (raw.startsWith('{')) {
    try {
      return JSON.parse(raw) as unknown;
    } catch (error) {
      throw new MycelError('BAD_MESSAGE', `query parameter "${key}" is not valid JSON: ${(error as Error).message}`);
    }
  }
  return raw;
}
