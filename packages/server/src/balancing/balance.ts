/**
 * `balance:STRATEGY` when an instance is chosen once (an HTTP call, `get_service_info` of a
 * client-side selection): the per-call strategy of that name picks, as it would for one call of
 * a balanced proxy. Proxies themselves choose per call in the router (`balanced-routing.ts`).
 */
import { formatMode, MycelError, type Mode } from '@mycel/protocol';
import { callStrategyFor } from './call-strategies.js';
import type { CallStrategy } from './call-strategy.js';
import type { Strategy } from './strategy.js';

type BalanceMode = Extract<Mode, { kind: 'balance' }>;

/**
 * The per-call strategy of a `balance:` mode. Throws `BAD_MODE` for `balance:min|max:FN` (they
 * need load reports) and for a strategy this hub does not have.
 */
export function callStrategyOf(mode: BalanceMode): CallStrategy {
  if ('fn' in mode) {
    throw new MycelError(
      'BAD_MODE',
      `mode "${formatMode(mode)}" needs load reports, which come in a later version of the hub; ` +
        `use "select:${mode.strategy}:${mode.fn}" (asks every instance once) or "balance:least_inflight" meanwhile`,
    );
  }
  const strategy = callStrategyFor(mode.strategy);
  if (!strategy) throw new MycelError('BAD_MODE', `mode "${formatMode(mode)}" is not available on this hub`);
  return strategy;
}

export const balance: Strategy<BalanceMode> = {
  choose: (candidates, mode, context) => {
    const strategy = callStrategyOf(mode);
    if (!context.group) throw new MycelError('SERVICE_NOT_FOUND', `service "${context.query}" not found`);
    const candidate = strategy.pick(candidates, { group: context.group, random: context.random, now: context.clock.now(), key: undefined });
    return { candidate, reason: 'balance' };
  },
};
