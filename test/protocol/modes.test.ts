import { describe, expect, it } from 'vitest';
import { defaultMode, formatMode, isPerCallMode, MycelError, parseMode, VALID_MODE_FORMS, type Mode } from '@mycel/protocol';

function badModeError(mode: unknown): MycelError {
  try {
    parseMode(mode, 'ws');
  } catch (error) {
    expect(error).toBeInstanceOf(MycelError);
    return error as MycelError;
  }
  throw new Error(`mode ${String(mode)} was accepted`);
}

describe('parseMode', () => {
  it.each<[string, Mode]>([
    ['exact', { kind: 'exact' }],
    ['random', { kind: 'random' }],
    ['first', { kind: 'first' }],
    ['last', { kind: 'last' }],
    ['select:min:get_load', { kind: 'select', criterion: 'min', fn: 'get_load' }],
    ['select:max:score', { kind: 'select', criterion: 'max', fn: 'score' }],
    ['select:first_success:ready', { kind: 'select', criterion: 'first_success', fn: 'ready' }],
    ['select:min:stats.load', { kind: 'select', criterion: 'min', fn: 'stats.load' }],
    ['select:max:$x_1', { kind: 'select', criterion: 'max', fn: '$x_1' }],
    ['balance:round_robin', { kind: 'balance', strategy: 'round_robin' }],
    ['balance:random', { kind: 'balance', strategy: 'random' }],
    ['balance:weighted', { kind: 'balance', strategy: 'weighted' }],
    ['balance:least_inflight', { kind: 'balance', strategy: 'least_inflight' }],
    ['balance:p2c', { kind: 'balance', strategy: 'p2c' }],
    ['balance:least_latency', { kind: 'balance', strategy: 'least_latency' }],
    ['balance:hash', { kind: 'balance', strategy: 'hash' }],
    ['balance:min:get_load', { kind: 'balance', strategy: 'min', fn: 'get_load' }],
    ['balance:max:stats.free', { kind: 'balance', strategy: 'max', fn: 'stats.free' }],
  ])('parses "%s"', (mode, expected) => {
    expect(parseMode(mode, 'ws')).toEqual(expected);
  });

  it('reads "native:random" as random', () => {
    expect(parseMode('native:random', 'ws')).toEqual({ kind: 'random' });
  });

  it('uses random in the public workspace when no mode is given', () => {
    for (const mode of [undefined, null, '']) expect(parseMode(mode, 'public')).toEqual({ kind: 'random' });
  });

  it('uses exact in any other workspace when no mode is given', () => {
    for (const mode of [undefined, null, '']) expect(parseMode(mode, 'ws-user-1')).toEqual({ kind: 'exact' });
  });

  it.each([
    'select:avg:x',
    'select:min',
    'select:min:',
    'select:min:a:b',
    'select::get_load',
    'select:min:1abc',
    'select:min:get-load',
    'select:min:a..b',
    'select',
    'bogus',
    'EXACT',
    ' random',
    'native:first',
    'balance',
    'balance:',
    'balance:bogus',
    'balance:round-robin',
    'balance:ROUND_ROBIN',
    'balance:round_robin:x',
    'balance:min',
    'balance:min:',
    'balance:max:1x',
    'balance:first_success:ready',
  ])('rejects "%s" with BAD_MODE', (mode) => {
    expect(badModeError(mode).code).toBe('BAD_MODE');
  });

  it.each([42, true, {}, ['random']])('rejects the non-string %j with BAD_MODE', (mode) => {
    expect(badModeError(mode).code).toBe('BAD_MODE');
  });

  it('names the mode and every valid form in the error', () => {
    expect(badModeError('select:avg:x').message).toMatchInlineSnapshot(
      `"invalid mode "select:avg:x": expected one of "exact", "random", "first", "last", "select:min:FN", "select:max:FN", "select:first_success:FN", "balance:round_robin", "balance:random", "balance:weighted", "balance:least_inflight", "balance:p2c", "balance:least_latency", "balance:hash", "balance:min:FN", "balance:max:FN""`,
    );
    const message = badModeError('bogus').message;
    for (const form of VALID_MODE_FORMS) expect(message).toContain(`"${form}"`);
  });
});

describe('defaultMode', () => {
  it('is random in public and exact elsewhere', () => {
    expect(defaultMode('public')).toEqual({ kind: 'random' });
    expect(defaultMode('Public')).toEqual({ kind: 'exact' });
    expect(defaultMode('ws-1')).toEqual({ kind: 'exact' });
  });
});

describe('formatMode', () => {
  it('writes every mode back to a string parseMode reads', () => {
    for (const text of ['exact', 'random', 'first', 'last', 'select:min:a', 'select:max:b.c', 'select:first_success:d', 'balance:p2c', 'balance:min:load']) {
      expect(formatMode(parseMode(text, 'ws'))).toBe(text);
    }
  });
});

describe('isPerCallMode', () => {
  it('is true for balance: modes only', () => {
    expect(isPerCallMode(parseMode('balance:hash', 'ws'))).toBe(true);
    expect(isPerCallMode(parseMode('balance:max:f', 'ws'))).toBe(true);
    for (const text of ['exact', 'random', 'select:min:a']) expect(isPerCallMode(parseMode(text, 'ws'))).toBe(false);
  });
});
