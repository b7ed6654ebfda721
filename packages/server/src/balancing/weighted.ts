/**
 * `balance:weighted`: smooth weighted round robin (as nginx does it). Each pick adds every
 * candidate's weight to its running credit, picks the candidate with the most credit and takes the
 * candidates' total weight from it. Over any W consecutive picks of a fixed set each instance gets
 * exactly its weight's share, interleaved (3:2:1 gives a b a c b a, not a a a b b c). An instance
 * without `weight` counts 1. O(N) per pick; credits live per instance in the group's state and
 * stay put while an instance is not a candidate.
 */
import type { ServiceGroup, ServiceRecord } from '../registry.js';
import { instanceWeight, strategyStateOf, type CallStrategy } from './call-strategy.js';

interface Credit {
  value: number;
}

interface WeightedState {
  version: number;
  credits: Map<ServiceRecord, Credit>;
}

export const weighted: CallStrategy = {
  name: 'weighted',
  pick(candidates, { group }) {
    const credits = creditsOf(group);
    let total = 0;
    let best: ServiceRecord = candidates[0] as ServiceRecord;
    let bestCredit: Credit | undefined;
    for (const record of candidates) {
      let credit = credits.get(record);
      if (!credit) {
        credit = { value: 0 };
        credits.set(record, credit);
      }
      const weight = instanceWeight(record);
      total += weight;
      credit.value += weight;
      if (!bestCredit || credit.value > bestCredit.value) {
        best = record;
        bestCredit = credit;
      }
    }
    (bestCredit as Credit).value -= total;
    return best;
  },
};

/** The credits of the group's instances; those of instances that left are dropped. */
function creditsOf(group: ServiceGroup): Map<ServiceRecord, Credit> {
  const state = strategyStateOf<WeightedState>(group, 'weighted', () => ({ version: group.version, credits: new Map() }));
  if (state.version !== group.version) {
    const kept = new Map<ServiceRecord, Credit>();
    for (const record of group.instances) {
      const credit = state.credits.get(record);
      if (credit) kept.set(record, credit);
    }
    state.credits = kept;
    state.version = group.version;
  }
  return state.credits;
}
