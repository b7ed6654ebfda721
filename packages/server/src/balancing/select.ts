/**
 * `select:min|max|first_success:FN`: asks every candidate for FN in parallel, within the round's
 * bound, and picks by the answers (the pure core is `pickByProbes` in `@mycel/protocol`, which the
 * SDK's client-side selection runs too). `min` and `max` take the hub's fresh load reports in
 * place of probes: with one for every candidate, nobody is probed.
 */
import { pickByProbes, type Mode } from '@mycel/protocol';
import type { Strategy } from './strategy.js';

export const select: Strategy<Extract<Mode, { kind: 'select' }>> = {
  choose: (candidates, mode, context) =>
    pickByProbes(candidates, mode, context.probe, {
      clock: context.clock,
      timeoutMs: context.timeoutMs,
      random: context.random,
      describe: (r) => r.id,
      query: context.query,
      onValue: context.onValue,
      known: (record) => context.freshValue(record, mode.fn),
    }),
};
