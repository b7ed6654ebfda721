/**
 * The one error class of Mycel, shared by hub and SDK, and its wire form.
 *
 * On the wire an error is Hypha's `{_rtype: "error", _rvalue: message}`; Mycel adds `_rcode`,
 * which the official clients ignore. Stacks never travel: they are logged where the error was
 * thrown.
 */

/** Every error code Mycel puts on the wire or throws. Documented in the protocol README. */
export const ERROR_CODES = [
  'BAD_MESSAGE',
  'SERVICE_NOT_FOUND',
  'METHOD_NOT_FOUND',
  'BAD_MODE',
  'TIMEOUT',
  'CONNECTION_CLOSED',
  'CLIENT_ID_IN_USE',
  'REMOTE_ERROR',
  'PERMISSION_DENIED',
  'LIMIT_EXCEEDED',
  'DRAINING',
  'INTERNAL',
] as const;

/** A machine-readable error code. */
export type ErrorCode = (typeof ERROR_CODES)[number];

/** Codes after which the same call may succeed when tried again (possibly on another instance). */
export const RETRYABLE_CODES: readonly ErrorCode[] = ['TIMEOUT', 'CONNECTION_CLOSED', 'DRAINING'];

/** The encoded form of an error inside RPC arguments. */
export interface ErrorPayload {
  _rtype: 'error';
  _rvalue: string;
  _rcode?: ErrorCode;
  _rtrace?: string;
}

const CODE_SET: ReadonlySet<string> = new Set(ERROR_CODES);

/** Whether `value` is one of the known {@link ErrorCode}s. */
export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && CODE_SET.has(value);
}

/** Options of the {@link MycelError} constructor. */
export interface MycelErrorOptions {
  /** Extra structured detail (never a stack). */
  data?: unknown;
  /** The error that caused this one. */
  cause?: unknown;
}

/**
 * An error with a machine-readable {@link ErrorCode}.
 *
 * @example
 * throw new MycelError('SERVICE_NOT_FOUND', 'service "math" not found');
 */
export class MycelError extends Error {
  /** What kind of failure this is. */
  readonly code: ErrorCode;
  /** Optional structured detail. */
  readonly data: unknown;

  constructor(code: ErrorCode, message: string, options: MycelErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'MycelError';
    this.code = code;
    this.data = options.data;
  }

  /** Normalises anything thrown into a MycelError (`INTERNAL` unless it already is one). */
  static from(value: unknown, fallback: ErrorCode = 'INTERNAL'): MycelError {
    if (value instanceof MycelError) return value;
    if (value instanceof Error) return new MycelError(fallback, value.message, { cause: value });
    return new MycelError(fallback, typeof value === 'string' ? value : safeString(value));
  }

  /** Rebuilds an error received in the wire form. Unknown codes become `REMOTE_ERROR`. */
  static fromPayload(payload: { _rvalue?: unknown; _rcode?: unknown }): MycelError {
    const code = isErrorCode(payload._rcode) ? payload._rcode : 'REMOTE_ERROR';
    const message = typeof payload._rvalue === 'string' ? payload._rvalue : safeString(payload._rvalue);
    return new MycelError(code, message);
  }

  /** The wire form: message and code, no stack. */
  toPayload(): ErrorPayload {
    return { _rtype: 'error', _rvalue: this.message, _rcode: this.code };
  }
}

/** Type guard for {@link MycelError}, also true for instances from another copy of this module. */
export function isMycelError(value: unknown): value is MycelError {
  return (
    value instanceof MycelError ||
    (value instanceof Error && value.name === 'MycelError' && isErrorCode((value as { code?: unknown }).code))
  );
}

/** Turns anything thrown by user code into the wire form, keeping only its message. */
export function errorToPayload(value: unknown): ErrorPayload {
  if (isMycelError(value)) return { _rtype: 'error', _rvalue: value.message, _rcode: value.code };
  if (value instanceof Error) return { _rtype: 'error', _rvalue: value.message };
  return { _rtype: 'error', _rvalue: typeof value === 'string' ? value : safeString(value) };
}

function safeString(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
