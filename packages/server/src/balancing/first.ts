/** `first`: the oldest registration. */
import type { ServiceRecord } from '../registry.js';
import type { Strategy } from './strategy.js';

export const first: Strategy = {
  choose: (candidates) => ({ candidate: candidates[0] as ServiceRecord, reason: 'first' }),
};
