/** `last`: the newest registration. */
import type { ServiceRecord } from '../registry.js';
import type { Strategy } from './strategy.js';

export const last: Strategy = {
  choose: (candidates) => ({ candidate: candidates[candidates.length - 1] as ServiceRecord, reason: 'last' }),
};
