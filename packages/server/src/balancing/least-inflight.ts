/**
 * `balance:least_inflight`: the candidate with the fewest calls in flight through the hub
 * (`state.inFlight`), ties broken uniformly at random (so idle instances share a burst instead
 * of the first one taking it). O(N) per pick, no state.
 */
import type { ServiceRecord } from '../registry.js';
import type { CallStrategy } from './call-strategy.js';

export const leastInflight: CallStrategy = {
  name: 'least_inflight',
  pick(candidates, { random }) {
    let best = candidates[0] as ServiceRecord;
    let ties = 1;
    for (let i = 1; i < candidates.length; i++) {
      const record = candidates[i] as ServiceRecord;
      const inFlight = record.state.inFlight;
      if (inFlight < best.state.inFlight) {
        best = record;
        ties = 1;
      } else if (inFlight === best.state.inFlight && random() * ++ties < 1) {
        // The k-th of k tied candidates replaces the pick with chance 1/k: each ends up with 1/k.
        best = record;
      }
    }
    return best;
  },
};
