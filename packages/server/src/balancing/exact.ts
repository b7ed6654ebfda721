/** `exact`: the query must name one instance; several are an error that lists them. */
import { pickExact } from '@mycel/protocol';
import type { Strategy } from './strategy.js';

export const exact: Strategy = {
  choose: (candidates, _mode, { query }) => pickExact(candidates, { query, describe: (r) => r.id }),
};
