/**
 * `balance:hash`: the same key goes to the same instance. The key (the call's own key, else the
 * caller's `key`, else its client id) picks its instance by rendezvous hashing: each candidate
 * scores hash(key, instance) and the highest wins, so when an instance joins only the keys it
 * now wins move (about 1/N of them), and when one leaves only its own keys move.
 *
 * Two refinements:
 * - Bounded load (consistent hashing with bounded loads, Mirrokni, Thorup and Zadimoghaddam): no
 *   instance takes a call while it has `ceil(1.25 x mean)` calls in flight or more (the mean over
 *   the candidates, this call counted); the key's call goes to its next-highest scorer instead. A
 *   hot key thus spills over instead of drowning one instance.
 * - Affinity: the instance a key went to is remembered for `affinity_ttl` seconds after its last
 *   call (default 300), in a table of at most `affinity_max_entries` keys per service (default
 *   10,000; the key used longest ago, to within a second, is forgotten first). A joining
 *   instance does not take live keys; a key comes back to its instance after a spill-over.
 *   `affinity_ttl: 0` turns it off.
 *
 * A call without a key goes to the less busy of two random candidates. Cost: O(N) per pick (one
 * pass over the candidates' in-flight counts, and their scores when the key has no live
 * instance); the table is a Map, O(1).
 */
import type { ServiceGroup, ServiceRecord } from '../registry.js';
import { instancePositions, positionOf, strategyStateOf, type CallStrategy, type InstancePositions } from './call-strategy.js';
import { pickOfTwo } from './p2c.js';

/** Seconds a key keeps its instance after its last call. */
export const DEFAULT_AFFINITY_TTL_S = 300;
/** Keys remembered per service. */
export const DEFAULT_AFFINITY_MAX_ENTRIES = 10_000;
/** No instance takes a call with this many times the mean in-flight load or more (rounded up). */
export const HASH_LOAD_FACTOR = 1.25;

/** Entries are moved to the table's recent end at most this often (a Map delete and set per call would cost more than the rest of the pick). */
const AFFINITY_REORDER_MS = 1_000;

interface Affinity {
  record: ServiceRecord;
  /** Hub time of the key's last call, ms. */
  usedAt: number;
  /** Hub time it last moved to the recent end of the table, ms. */
  movedAt: number;
}

interface HashState {
  /** The group's instances and their positions (also: who is still in the group). */
  at: InstancePositions;
  /** The hash of each instance's id, by position. */
  idHashes: Uint32Array;
  /** Key to instance, the least recently used first. */
  affinity: Map<string, Affinity>;
}

export const hash: CallStrategy = {
  name: 'hash',
  pick(candidates, context) {
    const { group, now, key, options } = context;
    if (key === undefined) return pickOfTwo(candidates, context, (record) => record.state.inFlight);
    const state = hashStateOf(group);
    const ttlMs = (options?.affinityTtlS ?? DEFAULT_AFFINITY_TTL_S) * 1_000;
    const maxEntries = options?.affinityMaxEntries ?? DEFAULT_AFFINITY_MAX_ENTRIES;
    const remembers = ttlMs > 0 && maxEntries > 0;
    const entry = remembers ? state.affinity.get(key) : undefined;
    const live = entry !== undefined && now - entry.usedAt < ttlMs;
    let total = 0;
    let isHomeCandidate = false;
    for (const record of candidates) {
      total += record.state.inFlight;
      if (record === entry?.record) isHomeCandidate = true;
    }
    const capacity = Math.ceil((HASH_LOAD_FACTOR * (total + 1)) / candidates.length);
    if (live && isHomeCandidate && entry.record.state.inFlight < capacity) {
      entry.usedAt = now;
      if (now - entry.movedAt >= AFFINITY_REORDER_MS) {
        entry.movedAt = now;
        state.affinity.delete(key);
        state.affinity.set(key, entry);
      }
      return entry.record;
    }
    const picked = highestScoring(candidates, hashString(key), capacity, state);
    // A live key whose instance is only busy or filtered out keeps it: it goes back there next time.
    if (remembers && !live) remember(state.affinity, key, { record: picked, usedAt: now, movedAt: now }, maxEntries);
    return picked;
  },
};

/** The candidate with the highest score for the key among those under `capacity`. */
function highestScoring(candidates: readonly ServiceRecord[], keyHash: number, capacity: number, state: HashState): ServiceRecord {
  let best: ServiceRecord | undefined;
  let bestScore = -1;
  for (let i = 0; i < candidates.length; i++) {
    const record = candidates[i] as ServiceRecord;
    if (record.state.inFlight >= capacity) continue;
    const position = positionOf(state.at, candidates, i);
    const idHash = position === undefined ? hashString(record.id) : (state.idHashes[position] as number);
    const score = mix32(keyHash ^ idHash);
    if (score > bestScore) {
      best = record;
      bestScore = score;
    }
  }
  // Some candidate is always under capacity (their capacities add up to more than all calls).
  return best ?? (candidates[0] as ServiceRecord);
}

function remember(affinity: Map<string, Affinity>, key: string, entry: Affinity, maxEntries: number): void {
  affinity.delete(key);
  affinity.set(key, entry);
  while (affinity.size > maxEntries) {
    const oldest = affinity.keys().next().value as string;
    affinity.delete(oldest);
  }
}

/** The group's hash state; on a join or leave, id hashes are redone and keys of departed instances dropped. */
function hashStateOf(group: ServiceGroup): HashState {
  const state = strategyStateOf<HashState>(group, 'hash', () => ({
    at: { version: -1, instances: [], positions: new Map() },
    idHashes: new Uint32Array(0),
    affinity: new Map(),
  }));
  if (state.at.version !== group.version) {
    state.at = instancePositions(group);
    state.idHashes = Uint32Array.from(state.at.instances, (record) => hashString(record.id));
    for (const [key, entry] of state.affinity) {
      if (!state.at.positions.has(entry.record)) state.affinity.delete(key);
    }
  }
  return state;
}

/** 32-bit FNV-1a of the string's UTF-16 code units, then mixed. */
function hashString(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return mix32(h);
}

/** MurmurHash3's finaliser: a bijection on 32 bits in which every input bit moves every output bit. */
function mix32(value: number): number {
  let h = value ^ (value >>> 16);
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
