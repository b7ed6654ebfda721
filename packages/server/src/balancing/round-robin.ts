/**
 * `balance:round_robin`: each candidate in turn, in registration order. The cursor is the
 * registration number (`seq`) of the last instance picked, so turns stay exact when the
 * candidates are a different subset from call to call (an instance at its concurrency limit, a
 * `match` filter): the next pick is the first candidate registered after the last one picked.
 * O(1) while the candidates stay the same, O(log N) when they change.
 */
import type { ServiceRecord } from '../registry.js';
import { strategyStateOf, type CallStrategy } from './call-strategy.js';

interface Cursor {
  /** `seq` of the instance picked last; 0 before the first pick. */
  seq: number;
  /** Its index in the candidates of the last pick. */
  index: number;
}

export const roundRobin: CallStrategy = {
  name: 'round_robin',
  pick(candidates, { group }) {
    const cursor = strategyStateOf<Cursor>(group, 'round_robin', () => ({ seq: 0, index: -1 }));
    let index: number;
    if (candidates[cursor.index]?.seq === cursor.seq) {
      index = cursor.index + 1;
    } else {
      index = firstAfter(candidates, cursor.seq);
    }
    if (index >= candidates.length) index = 0;
    const picked = candidates[index] as ServiceRecord;
    cursor.seq = picked.seq;
    cursor.index = index;
    return picked;
  },
};

/** Index of the first candidate with `seq` above `seq` (candidates are in `seq` order), or the length. */
function firstAfter(candidates: readonly ServiceRecord[], seq: number): number {
  let low = 0;
  let high = candidates.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if ((candidates[middle] as ServiceRecord).seq <= seq) low = middle + 1;
    else high = middle;
  }
  return low;
}
