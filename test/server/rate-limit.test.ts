import { afterEach, describe, expect, it, vi } from 'vitest';
import { MAX_DEBT_S, RateGate, TokenBucket } from '../../packages/server/src/rate-limit.js';

afterEach(() => {
  vi.useRealTimers();
});

describe('TokenBucket', () => {
  it('gives a burst at once, then tokens at the rate', () => {
    let now = 0;
    const bucket = new TokenBucket(10, 3, () => now);
    expect([bucket.take(), bucket.take(), bucket.take()]).toEqual([0, 0, 0]);
    expect(bucket.take()).toBe(100);
    now = 100;
    expect(bucket.take()).toBe(0);
    expect(bucket.take()).toBe(100);
  });

  it('never holds more than the burst', () => {
    let now = 0;
    const bucket = new TokenBucket(1000, 2, () => now);
    now = 60_000;
    expect([bucket.take(), bucket.take()]).toEqual([0, 0]);
    expect(bucket.take()).toBeGreaterThan(0);
  });

  it('takes a charge into debt, which later tokens pay off, up to a minute of the rate', () => {
    let now = 0;
    const bucket = new TokenBucket(10, 5, () => now);
    bucket.charge(25);
    expect(bucket.available).toBe(-20);
    expect(bucket.take()).toBe(2_100);
    now = 2_100;
    expect(bucket.take()).toBe(0);
    bucket.charge(1_000_000);
    expect(bucket.available).toBe(-MAX_DEBT_S * 10);
  });

  it('refuses a rate or burst that cannot work', () => {
    expect(() => new TokenBucket(0, 1)).toThrow(RangeError);
    expect(() => new TokenBucket(1, 0)).toThrow(RangeError);
  });
});

describe('RateGate', () => {
  it('delivers in order at the rate, pausing the source while messages wait', () => {
    vi.useFakeTimers({ now: 0 });
    const delivered: number[] = [];
    const events: string[] = [];
    const gate = new RateGate<number>({
      bucket: new TokenBucket(10, 2, () => Date.now()),
      maxQueued: 100,
      deliver: (n) => delivered.push(n),
      pause: () => events.push('pause'),
      resume: () => events.push('resume'),
      overflow: () => events.push('overflow'),
    });
    for (let i = 0; i < 5; i++) gate.push(i);
    expect(delivered).toEqual([0, 1]);
    expect(events).toEqual(['pause']);
    vi.advanceTimersByTime(100);
    expect(delivered).toEqual([0, 1, 2]);
    vi.advanceTimersByTime(200);
    expect(delivered).toEqual([0, 1, 2, 3, 4]);
    expect(events).toEqual(['pause', 'resume']);
  });

  it('drops the source when more than maxQueued messages wait', () => {
    vi.useFakeTimers({ now: 0 });
    const overflowed: number[] = [];
    const gate = new RateGate<number>({
      bucket: new TokenBucket(1, 1, () => Date.now()),
      maxQueued: 3,
      deliver: () => {},
      pause: () => {},
      resume: () => {},
      overflow: (n) => overflowed.push(n),
    });
    for (let i = 0; i < 5; i++) gate.push(i);
    expect(overflowed).toEqual([3]);
    expect(vi.getTimerCount()).toBe(0);
  });
});
