/**
 * The strategy table: every mode kind and the strategy that executes it. A new strategy is one
 * file in this folder and one line here (its mode form goes in `MODE_GRAMMAR` of
 * `@mycel/protocol`).
 */
import { notFound, type Mode, type Selection } from '@mycel/protocol';
import type { ServiceRecord } from '../registry.js';
import { balance } from './balance.js';
import { exact } from './exact.js';
import { first } from './first.js';
import { last } from './last.js';
import { random } from './random.js';
import { select } from './select.js';
import type { Strategy, StrategyContext } from './strategy.js';

/** The strategy of each mode kind. */
export const STRATEGIES: { readonly [K in Mode['kind']]: Strategy<Extract<Mode, { kind: K }>> } = {
  exact,
  random,
  first,
  last,
  select,
  balance,
};

/** The strategy that executes `mode`. */
export function strategyFor<M extends Mode>(mode: M): Strategy<M> {
  return STRATEGIES[mode.kind] as Strategy<M>;
}

/** Chooses one of `candidates` with `mode`'s strategy; `SERVICE_NOT_FOUND` when there is none. */
export function chooseInstance(
  candidates: readonly ServiceRecord[],
  mode: Mode,
  context: StrategyContext,
): Promise<Selection<ServiceRecord>> {
  if (candidates.length === 0) return Promise.reject(notFound(context.query));
  try {
    return Promise.resolve(strategyFor(mode).choose(candidates, mode, context));
  } catch (error) {
    return Promise.reject(error);
  }
}
