import { describe, expect, it } from 'vitest';
import {
  ERROR_CODES,
  errorToPayload,
  isErrorCode,
  isMycelError,
  MycelError,
  RETRYABLE_CODES,
} from '@mycel/protocol';

describe('MycelError', () => {
  it('carries a code, a message, data and a cause', () => {
    const cause = new Error('socket reset');
    const error = new MycelError('SERVICE_NOT_FOUND', 'service "math" not found', { data: { id: 'math' }, cause });
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('MycelError');
    expect(error.code).toBe('SERVICE_NOT_FOUND');
    expect(error.message).toMatchInlineSnapshot(`"service "math" not found"`);
    expect(error.data).toEqual({ id: 'math' });
    expect(error.cause).toBe(cause);
  });

  it('has no cause and no data when none is given', () => {
    const error = new MycelError('TIMEOUT', 'late');
    expect('cause' in error).toBe(false);
    expect(error.data).toBeUndefined();
  });
});

describe('MycelError.from', () => {
  it('returns a MycelError unchanged', () => {
    const error = new MycelError('TIMEOUT', 'late');
    expect(MycelError.from(error)).toBe(error);
  });

  it('wraps an Error as INTERNAL, keeping its message and the original as cause', () => {
    const original = new TypeError('x is not a function');
    const error = MycelError.from(original);
    expect(error.code).toBe('INTERNAL');
    expect(error.message).toBe('x is not a function');
    expect(error.cause).toBe(original);
  });

  it('uses the fallback code it is given', () => {
    expect(MycelError.from(new Error('boom'), 'REMOTE_ERROR').code).toBe('REMOTE_ERROR');
  });

  it('turns a thrown string into the message', () => {
    expect(MycelError.from('plain failure').message).toBe('plain failure');
  });

  it('turns other thrown values into JSON', () => {
    expect(MycelError.from({ reason: 'x' }).message).toMatchInlineSnapshot(`"{"reason":"x"}"`);
    expect(MycelError.from(42).message).toBe('42');
    expect(MycelError.from(undefined).message).toBe('undefined');
  });

  it('does not throw on values JSON cannot write', () => {
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    expect(MycelError.from(circular).message).toBe('[object Object]');
    expect(MycelError.from(10n).message).toBe('10');
  });
});

describe('MycelError.fromPayload', () => {
  it('keeps a known code and the message', () => {
    const error = MycelError.fromPayload({ _rvalue: 'method "x" not found', _rcode: 'METHOD_NOT_FOUND' });
    expect(error).toBeInstanceOf(MycelError);
    expect(error.code).toBe('METHOD_NOT_FOUND');
    expect(error.message).toBe('method "x" not found');
  });

  it('turns an unknown or missing code into REMOTE_ERROR', () => {
    expect(MycelError.fromPayload({ _rvalue: 'x', _rcode: 'NOPE' }).code).toBe('REMOTE_ERROR');
    expect(MycelError.fromPayload({ _rvalue: 'x', _rcode: 7 }).code).toBe('REMOTE_ERROR');
    expect(MycelError.fromPayload({ _rvalue: 'x' }).code).toBe('REMOTE_ERROR');
  });

  it('stringifies a message that is not a string', () => {
    expect(MycelError.fromPayload({ _rvalue: { detail: 1 } }).message).toBe('{"detail":1}');
  });
});

describe('MycelError.toPayload', () => {
  it('gives the wire form with the code and no stack', () => {
    const payload = new MycelError('TIMEOUT', 'call "add" timed out after 5000ms').toPayload();
    expect(payload).toMatchInlineSnapshot(`
      {
        "_rcode": "TIMEOUT",
        "_rtype": "error",
        "_rvalue": "call "add" timed out after 5000ms",
      }
    `);
    expect(JSON.stringify(payload)).not.toMatch(/at |stack|_rtrace/);
  });

  it('round-trips through fromPayload', () => {
    const original = new MycelError('PERMISSION_DENIED', 'no');
    const back = MycelError.fromPayload(original.toPayload());
    expect({ code: back.code, message: back.message }).toEqual({ code: 'PERMISSION_DENIED', message: 'no' });
  });
});

describe('errorToPayload', () => {
  it('keeps the code of a MycelError', () => {
    expect(errorToPayload(new MycelError('BAD_MODE', 'bad'))).toEqual({ _rtype: 'error', _rvalue: 'bad', _rcode: 'BAD_MODE' });
  });

  it('keeps only the message of a plain Error', () => {
    const error = new RangeError('too big');
    expect(errorToPayload(error)).toEqual({ _rtype: 'error', _rvalue: 'too big' });
  });

  it('writes strings and other values as the message', () => {
    expect(errorToPayload('nope')).toEqual({ _rtype: 'error', _rvalue: 'nope' });
    expect(errorToPayload({ a: 1 })).toEqual({ _rtype: 'error', _rvalue: '{"a":1}' });
  });
});

describe('isMycelError', () => {
  it('is true for a MycelError', () => {
    expect(isMycelError(new MycelError('INTERNAL', 'x'))).toBe(true);
  });

  it('is true for a lookalike from another copy of the module', () => {
    const foreign = Object.assign(new Error('x'), { name: 'MycelError', code: 'TIMEOUT' });
    expect(isMycelError(foreign)).toBe(true);
  });

  it('is false for plain errors, lookalikes with unknown codes and non-errors', () => {
    expect(isMycelError(new Error('x'))).toBe(false);
    expect(isMycelError(Object.assign(new Error('x'), { name: 'MycelError', code: 'NOPE' }))).toBe(false);
    expect(isMycelError({ name: 'MycelError', code: 'TIMEOUT', message: 'x' })).toBe(false);
    expect(isMycelError(null)).toBe(false);
  });
});

describe('error codes', () => {
  it('lists the codes of the error model', () => {
    expect(ERROR_CODES).toEqual(
      expect.arrayContaining([
        'BAD_MESSAGE',
        'SERVICE_NOT_FOUND',
        'METHOD_NOT_FOUND',
        'BAD_MODE',
        'TIMEOUT',
        'CONNECTION_CLOSED',
        'REMOTE_ERROR',
        'INTERNAL',
      ]),
    );
    expect(new Set(ERROR_CODES).size).toBe(ERROR_CODES.length);
  });

  it('recognises only known codes', () => {
    for (const code of ERROR_CODES) expect(isErrorCode(code)).toBe(true);
    expect(isErrorCode('bad_message')).toBe(false);
    expect(isErrorCode(undefined)).toBe(false);
  });

  it('retries only timeouts, closed connections and draining instances (the call did not run)', () => {
    expect([...RETRYABLE_CODES].sort()).toEqual(['CONNECTION_CLOSED', 'DRAINING', 'TIMEOUT']);
  });

  it('has a code of its own, not retryable, for a client id that is in use', () => {
    expect(isErrorCode('CLIENT_ID_IN_USE')).toBe(true);
    expect(RETRYABLE_CODES).not.toContain('CLIENT_ID_IN_USE');
  });
});
