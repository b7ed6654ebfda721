/** `balance:random`: any candidate, uniformly, on every call. O(1), no state. */
import type { ServiceRecord } from '../registry.js';
import type { CallStrategy } from './call-strategy.js';

export const randomCall: CallStrategy = {
  name: 'random',
  pick: (candidates, { random }) => candidates[Math.floor(random() * candidates.length)] ?? (candidates[0] as ServiceRecord),
};
