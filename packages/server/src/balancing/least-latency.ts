/**
 * `balance:least_latency`: the candidate with the lowest expected wait, its peak-EWMA latency
 * times its calls in flight plus one (the cost Finagle and Linkerd balance on). The peak-EWMA
 * (`instance-state.ts`) jumps to a slower answer at once and comes down only as time passes,
 * so a slow instance is avoided quickly and retried cautiously; read at pick time it decays
 * toward zero (time constant `PEAK_LATENCY_DECAY_MS`, 10 s), so an instance not called for a
 * while is tried again. An instance with no answer yet gets a neutral estimate, the mean of the
 * candidates that have one, so a new instance is tried at once but not flooded. Ties are broken
 * at random; latencies under the hub clock's 1 ms resolution count as 1 ms. O(N) per pick (every candidate's cost is read).
 */
import { peakLatencyNow } from '../instance-state.js';
import type { ServiceRecord } from '../registry.js';
import { strategyStateOf, type CallStrategy } from './call-strategy.js';

/**
 * The least latency counted, ms: the hub clock's resolution. A quicker answer measures 0 ms, and
 * a cost of 0 would hide the instance's calls in flight. It is also the estimate when no
 * candidate has answered yet (costs then follow in-flight counts).
 */
const LATENCY_FLOOR_MS = 1;

interface Scratch {
  /** Each candidate's decayed latency of this pick, NaN when it has none (reused: no allocation per pick). */
  latencies: Float64Array;
}

export const leastLatency: CallStrategy = {
  name: 'least_latency',
  pick(candidates, { group, now, random }) {
    const scratch = strategyStateOf<Scratch>(group, 'least_latency', () => ({ latencies: new Float64Array(16) }));
    if (scratch.latencies.length < candidates.length) scratch.latencies = new Float64Array(candidates.length * 2);
    const latencies = scratch.latencies;
    let sum = 0;
    let known = 0;
    for (let i = 0; i < candidates.length; i++) {
      const latency = peakLatencyNow((candidates[i] as ServiceRecord).state, now);
      if (latency === undefined) {
        latencies[i] = Number.NaN;
      } else {
        const floored = latency > LATENCY_FLOOR_MS ? latency : LATENCY_FLOOR_MS;
        latencies[i] = floored;
        sum += floored;
        known++;
      }
    }
    const neutral = known > 0 ? sum / known : LATENCY_FLOOR_MS;
    let best = candidates[0] as ServiceRecord;
    let bestCost = Number.POSITIVE_INFINITY;
    let ties = 0;
    for (let i = 0; i < candidates.length; i++) {
      const record = candidates[i] as ServiceRecord;
      const latency = latencies[i] as number;
      const cost = (Number.isNaN(latency) ? neutral : latency) * (record.state.inFlight + 1);
      if (cost < bestCost) {
        best = record;
        bestCost = cost;
        ties = 1;
      } else if (cost === bestCost && random() * ++ties < 1) {
        best = record;
      }
    }
    return best;
  },
};
