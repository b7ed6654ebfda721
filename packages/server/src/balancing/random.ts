/** `random`: any instance, uniformly. */
import { pickRandom } from '@mycel/protocol';
import type { Strategy } from './strategy.js';

export const random: Strategy = {
  choose: (candidates, _mode, context) => pickRandom(candidates, context.random),
};
