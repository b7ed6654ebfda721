import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { DEFAULT_HUB_OPTIONS, resolveHubOptions } from '@mycel/server';

describe('resolveHubOptions', () => {
  it('fills every option left out with its default', () => {
    const logger = pino({ level: 'silent' });
    const resolved = resolveHubOptions({ logger });
    for (const [key, value] of Object.entries(DEFAULT_HUB_OPTIONS)) {
      expect(resolved[key as keyof typeof resolved], key).toBe(value);
    }
    expect(resolved.logger).toBe(logger);
    expect(resolved.tokenSecret).toBeUndefined();
  });

  it('keeps what the caller gives and does not let an undefined value shadow a default', () => {
    const resolved = resolveHubOptions({ port: 0, maxInFlightPerCaller: 5, pingIntervalMs: undefined });
    expect(resolved.port).toBe(0);
    expect(resolved.maxInFlightPerCaller).toBe(5);
    expect(resolved.pingIntervalMs).toBe(DEFAULT_HUB_OPTIONS.pingIntervalMs);
  });

  it('derives the burst from the rate in force unless a burst is given', () => {
    expect(resolveHubOptions({}).messageBurst).toBe(DEFAULT_HUB_OPTIONS.messageBurst);
    expect(resolveHubOptions({ maxMessagesPerSecond: 50 }).messageBurst).toBe(100);
    expect(resolveHubOptions({ maxMessagesPerSecond: 50, messageBurst: 7 }).messageBurst).toBe(7);
  });

  it('lets an in-flight slot go stale after twice the method timeout', () => {
    expect(resolveHubOptions({}).inFlightStaleAfterMs).toBe(2 * DEFAULT_HUB_OPTIONS.methodTimeoutMs);
    expect(resolveHubOptions({ methodTimeoutMs: 1_000 }).inFlightStaleAfterMs).toBe(2_000);
  });
});

describe('DEFAULT_HUB_OPTIONS', () => {
  it('is frozen and names a unit for every number (Ms, S, Bytes, Chars, Per..., or a count)', () => {
    expect(Object.isFrozen(DEFAULT_HUB_OPTIONS)).toBe(true);
    const counts = new Set(['port', 'messageBurst', 'maxQueuedMessages', 'maxConnections', 'maxManagerBodyValues', 'maxStatusStreams']);
    for (const [key, value] of Object.entries(DEFAULT_HUB_OPTIONS)) {
      if (typeof value !== 'number' || counts.has(key)) continue;
      expect(key, `${key} carries its unit`).toMatch(/(Ms|S|Bytes|Chars|PerClient|PerCaller|PerSecond)$/);
    }
  });
});
