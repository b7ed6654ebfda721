import { describe, expect, it } from 'vitest';
import { roundRobin } from '../../../packages/server/src/balancing/round-robin.js';
import { Fleet, pickOnce } from './fleet.js';

describe('balance:round_robin', () => {
  it('gives each instance its turn, in registration order', () => {
    const fleet = new Fleet();
    const records = fleet.add(4);
    const picks = Array.from({ length: 12 }, () => pickOnce(roundRobin, fleet));
    expect(picks).toEqual([...records, ...records, ...records]);
  });

  it('keeps exact turns when the candidates are a different subset each call', () => {
    const fleet = new Fleet();
    const [a, b, c, d] = fleet.add(4);
    // b is busy for one call, then d: each pick is the next registered after the last one.
    expect(pickOnce(roundRobin, fleet)).toBe(a);
    expect(pickOnce(roundRobin, fleet, { candidates: [a!, c!, d!] })).toBe(c);
    expect(pickOnce(roundRobin, fleet, { candidates: [a!, b!, c!] })).toBe(a);
    expect(pickOnce(roundRobin, fleet)).toBe(b);
    expect(pickOnce(roundRobin, fleet, { candidates: [b!, d!] })).toBe(d);
    expect(pickOnce(roundRobin, fleet, { candidates: [c!] })).toBe(c);
    expect(pickOnce(roundRobin, fleet)).toBe(d);
    expect(pickOnce(roundRobin, fleet)).toBe(a);
  });

  it('gives an instance that joins its turn in the next round, and skips one that left', () => {
    const fleet = new Fleet();
    const [a, b, c] = fleet.add(3);
    expect(pickOnce(roundRobin, fleet)).toBe(a);
    expect(pickOnce(roundRobin, fleet)).toBe(b);
    fleet.remove(c!);
    const [d] = fleet.add(1);
    expect([pickOnce(roundRobin, fleet), pickOnce(roundRobin, fleet), pickOnce(roundRobin, fleet)]).toEqual([d, a, b]);
    fleet.remove(a!);
    expect([pickOnce(roundRobin, fleet), pickOnce(roundRobin, fleet)]).toEqual([d, b]);
  });

  it('splits 3,000 picks over 3 instances exactly evenly', () => {
    const fleet = new Fleet();
    const records = fleet.add(3);
    const counts = new Map(records.map((r) => [r, 0]));
    for (let i = 0; i < 3_000; i++) {
      const picked = pickOnce(roundRobin, fleet);
      counts.set(picked, counts.get(picked)! + 1);
    }
    expect([...counts.values()]).toEqual([1_000, 1_000, 1_000]);
  });
});
