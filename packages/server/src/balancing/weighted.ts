/**
 * `balance:weighted`: smooth weighted round robin (as nginx does it). Each pick adds every
 * candidate's weight to its running credit, picks the candidate with the most credit and takes the
 * candidates' total weight from it. Over any W consecutive picks of a fixed set each instance gets
 * exactly its weight's share, interleaved (3:2:1 gives a b a c b a, not a a a b b c). An instance
 * without `weight` counts 1. O(N) per pick over flat arrays; credits live per instance in the
 * group's state, stay put while an instance is not a candidate and go when it leaves.
 */
import type { ServiceGroup, ServiceRecord } from '../registry.js';
import { instancePositions, instanceWeight, positionOf, strategyStateOf, type CallStrategy, type InstancePositions } from './call-strategy.js';

interface WeightedState {
  at: InstancePositions;
  /** Weight and credit by position. */
  weights: Float64Array;
  credits: Float64Array;
}

export const weighted: CallStrategy = {
  name: 'weighted',
  pick(candidates, { group }) {
    const { at, weights, credits } = weightedStateOf(group);
    let total = 0;
    let best = -1;
    let bestIndex = 0;
    for (let i = 0; i < candidates.length; i++) {
      const position = positionOf(at, candidates, i);
      if (position === undefined) continue;
      const weight = weights[position] as number;
      total += weight;
      const credit = (credits[position] as number) + weight;
      credits[position] = credit;
      if (best < 0 || credit > (credits[best] as number)) {
        best = position;
        bestIndex = i;
      }
    }
    if (best >= 0) credits[best] = (credits[best] as number) - total;
    return candidates[bestIndex] as ServiceRecord;
  },
};

/** The group's weights and credits; rebuilt when an instance joins or leaves, credits carried over. */
function weightedStateOf(group: ServiceGroup): WeightedState {
  const state = strategyStateOf<WeightedState>(group, 'weighted', () => ({
    at: { version: -1, instances: [], positions: new Map() },
    weights: new Float64Array(0),
    credits: new Float64Array(0),
  }));
  if (state.at.version !== group.version) {
    const at = instancePositions(group);
    const weights = new Float64Array(at.instances.length);
    const credits = new Float64Array(at.instances.length);
    at.instances.forEach((record, position) => {
      weights[position] = instanceWeight(record);
      const before = state.at.positions.get(record);
      if (before !== undefined) credits[position] = state.credits[before] as number;
    });
    Object.assign(state, { at, weights, credits });
  }
  return state;
}
