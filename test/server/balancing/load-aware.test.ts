/**
 * least_inflight, p2c and least_latency in a simulated queue: one instance takes 50 ms per call,
 * two take 1 ms, 600 calls are kept 8 in flight (fake time). Load-aware strategies send the slow
 * one under 10 % of the calls (about 1-2 % in expectation: it can hold only a few calls while the
 * fast pair serves the rest); round robin and random, which ignore load, give it a third, so the
 * simulation can tell them apart. Five seeds each, every one must pass.
 */
import { describe, expect, it } from 'vitest';
import { createInstanceState, noteCallRouted } from '../../../packages/server/src/instance-state.js';
import type { CallStrategy } from '../../../packages/server/src/balancing/call-strategy.js';
import { leastInflight } from '../../../packages/server/src/balancing/least-inflight.js';
import { leastLatency } from '../../../packages/server/src/balancing/least-latency.js';
import { p2c } from '../../../packages/server/src/balancing/p2c.js';
import { randomCall } from '../../../packages/server/src/balancing/random-call.js';
import { roundRobin } from '../../../packages/server/src/balancing/round-robin.js';
import { Fleet, pickOnce, seededRandom, simulateQueue } from './fleet.js';

const SEEDS = [1, 2, 3, 4, 5];
const SLOW_AND_FAST = { serviceMs: [50, 1, 1], concurrency: 8, calls: 600 };

function slowShare(strategy: CallStrategy, seed: number): number {
  const served = simulateQueue(strategy, { ...SLOW_AND_FAST, seed });
  expect(served.reduce((a, b) => a + b, 0)).toBe(600);
  return served[0]! / 600;
}

describe('load-aware strategies in a queue with one slow instance', () => {
  for (const strategy of [leastInflight, p2c, leastLatency]) {
    it(`balance:${strategy.name} gives the 50 ms instance under 10 % of 600 calls`, () => {
      for (const seed of SEEDS) expect(slowShare(strategy, seed)).toBeLessThan(0.1);
    });
  }

  it('round robin and random give it about a third (the simulation tells load-aware from not)', () => {
    for (const seed of SEEDS) {
      expect(slowShare(roundRobin, seed)).toBeCloseTo(1 / 3, 2);
      // 600 uniform picks: a third +- 5 points is more than 2.5 standard deviations (1.9 points) each way.
      expect(Math.abs(slowShare(randomCall, seed) - 1 / 3)).toBeLessThan(0.05);
    }
  });
});

describe('balance:least_inflight', () => {
  it('picks the instance with the fewest calls in flight', () => {
    const fleet = new Fleet();
    const [a, b, c] = fleet.add(3);
    for (const [record, count] of [[a, 4], [b, 1], [c, 2]] as const) for (let i = 0; i < count; i++) noteCallRouted(record!.state);
    for (let i = 0; i < 100; i++) expect(pickOnce(leastInflight, fleet, { random: seededRandom(i) })).toBe(b);
  });

  it('breaks ties uniformly: 4 idle instances share 40,000 picks within 1.5 points of 25 % each', () => {
    // One share's standard deviation is 0.22 points: 1.5 points is about 7 of them.
    const fleet = new Fleet();
    const records = fleet.add(4);
    const random = seededRandom(7);
    const counts = new Map(records.map((r) => [r, 0]));
    for (let i = 0; i < 40_000; i++) {
      const picked = pickOnce(leastInflight, fleet, { random });
      counts.set(picked, counts.get(picked)! + 1);
    }
    for (const count of counts.values()) expect(Math.abs(count / 40_000 - 0.25)).toBeLessThan(0.015);
  });
});

describe('balance:p2c', () => {
  it('draws two distinct candidates: of two, the less busy always wins', () => {
    const fleet = new Fleet();
    const [a, b] = fleet.add(2);
    for (let i = 0; i < 9; i++) noteCallRouted(b!.state);
    const random = seededRandom(11);
    for (let i = 0; i < 1_000; i++) expect(pickOnce(p2c, fleet, { random })).toBe(a);
  });

  it('picks the one idle instance of four exactly when it is drawn: half of 20,000 picks, within 2 points', () => {
    // 3 of the 6 pairs hold it; one share's standard deviation is 0.35 points: 2 points is 5.7 of them.
    const fleet = new Fleet();
    const [idle, ...busy] = fleet.add(4);
    for (const record of busy) for (let i = 0; i < 5; i++) noteCallRouted(record.state);
    const random = seededRandom(12);
    let idlePicks = 0;
    for (let i = 0; i < 20_000; i++) if (pickOnce(p2c, fleet, { random }) === idle) idlePicks++;
    expect(Math.abs(idlePicks / 20_000 - 0.5)).toBeLessThan(0.02);
  });

  it('works with one candidate', () => {
    const fleet = new Fleet();
    const [only] = fleet.add(1);
    expect(pickOnce(p2c, fleet, { random: () => 0.999_999 })).toBe(only);
  });
});

describe('balance:least_latency', () => {
  it('weighs latency by load: a 10 ms instance with 1 call in flight beats a 3 ms one with 9', () => {
    const fleet = new Fleet();
    const [quick, slowish] = fleet.add(2);
    quick!.state = { ...createInstanceState(), peakLatencyMs: 3, peakLatencyAt: 0, inFlight: 9 };
    slowish!.state = { ...createInstanceState(), peakLatencyMs: 10, peakLatencyAt: 0, inFlight: 1 };
    expect(pickOnce(leastLatency, fleet)).toBe(slowish); // 10 x 2 < 3 x 10
    quick!.state.inFlight = 5;
    expect(pickOnce(leastLatency, fleet)).toBe(quick); // 3 x 6 < 10 x 2
  });

  it('tries a new instance at once, at the mean latency of the others, but does not flood it', () => {
    const fleet = new Fleet();
    const [a, b] = fleet.add(2);
    a!.state = { ...createInstanceState(), peakLatencyMs: 4, peakLatencyAt: 0, inFlight: 1 };
    b!.state = { ...createInstanceState(), peakLatencyMs: 8, peakLatencyAt: 0, inFlight: 0 };
    const [fresh] = fleet.add(1);
    // Costs: a 4 x 2 = 8, b 8 x 1 = 8, fresh 6 x 1 = 6.
    expect(pickOnce(leastLatency, fleet)).toBe(fresh);
    noteCallRouted(fresh!.state);
    // fresh 6 x 2 = 12 now: the others again.
    expect([a, b]).toContain(pickOnce(leastLatency, fleet, { random: seededRandom(3) }));
  });

  it('lets an old peak fade: a once-slow instance idle for a minute is tried again', () => {
    const fleet = new Fleet();
    const [once, steady] = fleet.add(2);
    once!.state = { ...createInstanceState(), peakLatencyMs: 500, peakLatencyAt: 0 };
    steady!.state = { ...createInstanceState(), peakLatencyMs: 5, peakLatencyAt: 60_000, inFlight: 1 };
    expect(pickOnce(leastLatency, fleet, { now: 1_000 })).toBe(steady); // 494 vs 10
    expect(pickOnce(leastLatency, fleet, { now: 60_000 })).toBe(once); // 500 e^-6 = 1.2 vs 10
  });
});
