/**
 * The per-call strategy table: every `balance:` strategy by name. A new strategy is one file in
 * this folder and one line here. (`balance:min:FN` / `balance:max:FN` come with load reports.)
 */
import type { CallStrategy } from './call-strategy.js';
import { roundRobin } from './round-robin.js';

/** The per-call strategies by name (the word after `balance:`). */
export const CALL_STRATEGIES: ReadonlyMap<string, CallStrategy> = new Map(
  [roundRobin].map((strategy) => [strategy.name, strategy]),
);

/** The per-call strategy named `name`, if there is one. */
export function callStrategyFor(name: string): CallStrategy | undefined {
  return CALL_STRATEGIES.get(name);
}
