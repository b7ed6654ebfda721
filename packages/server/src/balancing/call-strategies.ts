/**
 * The per-call strategy table: every `balance:` strategy by name. A new strategy is one file in
 * this folder and one line here. (`balance:min:FN` / `balance:max:FN` come with load reports.)
 */
import type { CallStrategy } from './call-strategy.js';
import { hash } from './hash.js';
import { leastInflight } from './least-inflight.js';
import { leastLatency } from './least-latency.js';
import { p2c } from './p2c.js';
import { randomCall } from './random-call.js';
import { roundRobin } from './round-robin.js';
import { weighted } from './weighted.js';

/** The per-call strategies by name (the word after `balance:`). */
export const CALL_STRATEGIES: ReadonlyMap<string, CallStrategy> = new Map(
  [roundRobin, randomCall, weighted, leastInflight, p2c, leastLatency, hash].map((strategy) => [strategy.name, strategy]),
);

/** The per-call strategy named `name`, if there is one. */
export function callStrategyFor(name: string): CallStrategy | undefined {
  return CALL_STRATEGIES.get(name);
}
