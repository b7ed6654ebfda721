import { describe, expect, it } from 'vitest';
import type { ServiceRecord } from '../../../packages/server/src/registry.js';
import { weighted } from '../../../packages/server/src/balancing/weighted.js';
import { Fleet, pickOnce } from './fleet.js';

/** The longest run of consecutive picks of each instance. */
function longestRuns(picks: readonly ServiceRecord[]): Map<ServiceRecord, number> {
  const longest = new Map<ServiceRecord, number>();
  let run = 0;
  for (let i = 0; i < picks.length; i++) {
    run = i > 0 && picks[i] === picks[i - 1] ? run + 1 : 1;
    longest.set(picks[i]!, Math.max(longest.get(picks[i]!) ?? 0, run));
  }
  return longest;
}

/**
 * The longest run an instance of weight w of total W may have: perfectly spread, its w picks
 * need W - w others between them, so runs of ceil(w / (W - w)); smooth weighted round robin may
 * join two such runs across a cycle's end, hence + 1. (Blocks, a a a b b c, would run w.)
 */
function allowedRun(weight: number, total: number): number {
  return Math.ceil(weight / (total - weight)) + 1;
}

function picksOf(fleet: Fleet, count: number): ServiceRecord[] {
  return Array.from({ length: count }, () => pickOnce(weighted, fleet));
}

describe('balance:weighted', () => {
  it('shares 6,000 picks 3:2:1 within 2 points of 50/33/17, interleaved', () => {
    const fleet = new Fleet();
    const [a, b, c] = [fleet.add(1, { weight: 3 })[0]!, fleet.add(1, { weight: 2 })[0]!, fleet.add(1, { weight: 1 })[0]!];
    const picks = picksOf(fleet, 6_000);
    const share = (record: ServiceRecord) => picks.filter((p) => p === record).length / picks.length;
    expect(Math.abs(share(a) - 3 / 6)).toBeLessThan(0.02);
    expect(Math.abs(share(b) - 2 / 6)).toBeLessThan(0.02);
    expect(Math.abs(share(c) - 1 / 6)).toBeLessThan(0.02);
    const runs = longestRuns(picks);
    expect(runs.get(a)).toBeLessThanOrEqual(allowedRun(3, 6)); // 2, where blocks would give 3
    expect(runs.get(b)).toBeLessThanOrEqual(allowedRun(2, 6)); // 2
    expect(runs.get(c)).toBeLessThanOrEqual(allowedRun(1, 6)); // 2
    // Each cycle of 6 holds each instance exactly its weight's times.
    for (let i = 0; i < 6_000; i += 6) {
      const cycle = picks.slice(i, i + 6);
      expect([a, b, c].map((r) => cycle.filter((p) => p === r).length)).toEqual([3, 2, 1]);
    }
  });

  it('keeps runs within bounds for uneven weights too', () => {
    for (const weights of [[5, 1, 1], [10, 1], [7, 3, 2, 1], [1, 1, 1, 1], [4, 4, 1]]) {
      const fleet = new Fleet();
      const records = weights.map((weight) => fleet.add(1, { weight })[0]!);
      const total = weights.reduce((x, y) => x + y, 0);
      const picks = picksOf(fleet, total * 200);
      const runs = longestRuns(picks);
      records.forEach((record, i) => {
        expect(picks.filter((p) => p === record).length).toBe(weights[i]! * 200);
        expect(runs.get(record)).toBeLessThanOrEqual(allowedRun(weights[i]!, total));
      });
    }
  });

  it('counts an instance without a weight as 1', () => {
    const fleet = new Fleet();
    const [heavy] = fleet.add(1, { weight: 2 });
    const [plain] = fleet.add(1);
    const picks = picksOf(fleet, 300);
    expect(picks.filter((p) => p === heavy)).toHaveLength(200);
    expect(picks.filter((p) => p === plain)).toHaveLength(100);
  });

  it('keeps the proportions over whichever candidates are offered, and takes in a joining instance', () => {
    const fleet = new Fleet();
    const [a, b, c] = [fleet.add(1, { weight: 3 })[0]!, fleet.add(1, { weight: 1 })[0]!, fleet.add(1, { weight: 2 })[0]!];
    // b is busy (not a candidate) for 400 picks: a and c go 3:2.
    const subset = Array.from({ length: 400 }, () => pickOnce(weighted, fleet, { candidates: [a, c] }));
    expect(subset.filter((p) => p === a)).toHaveLength(240);
    expect(subset.filter((p) => p === c)).toHaveLength(160);
    const [d] = fleet.add(1, { weight: 6 });
    const after = picksOf(fleet, 1_200);
    const count = (record: ServiceRecord) => after.filter((p) => p === record).length;
    expect([count(a), count(b), count(c), count(d!)]).toEqual([300, 100, 200, 600]);
  });
});
