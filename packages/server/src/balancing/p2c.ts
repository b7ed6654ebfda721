/**
 * `balance:p2c` (power of two choices): two distinct candidates at random, the one with fewer
 * calls in flight wins (either on a tie). Nearly as good as least_inflight under load and O(1):
 * it reads two instances whatever N is, and no herd forms on the one least busy instance.
 */
import type { ServiceRecord } from '../registry.js';
import type { CallStrategy, PickContext } from './call-strategy.js';

export const p2c: CallStrategy = {
  name: 'p2c',
  pick: (candidates, context) => pickOfTwo(candidates, context, (record) => record.state.inFlight),
};

/** Of two distinct random candidates, the one with the lower `load` (the first drawn on a tie). */
export function pickOfTwo(
  candidates: readonly ServiceRecord[],
  { random }: PickContext,
  load: (record: ServiceRecord) => number,
): ServiceRecord {
  const count = candidates.length;
  if (count === 1) return candidates[0] as ServiceRecord;
  const first = Math.min(Math.floor(random() * count), count - 1);
  let second = Math.min(Math.floor(random() * (count - 1)), count - 2);
  if (second >= first) second++;
  const a = candidates[first] as ServiceRecord;
  const b = candidates[second] as ServiceRecord;
  return load(b) < load(a) ? b : a;
}
