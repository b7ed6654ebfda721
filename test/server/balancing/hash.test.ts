import { describe, expect, it } from 'vitest';
import { noteCallAnswered, noteCallRouted } from '../../../packages/server/src/instance-state.js';
import type { ServiceRecord } from '../../../packages/server/src/registry.js';
import { DEFAULT_AFFINITY_TTL_S, hash, HASH_LOAD_FACTOR } from '../../../packages/server/src/balancing/hash.js';
import type { CallStrategyOptions } from '../../../packages/server/src/balancing/call-strategy.js';
import { Fleet, pickOnce, seededRandom } from './fleet.js';

const NO_AFFINITY: CallStrategyOptions = { affinityTtlS: 0 };
const KEYS = Array.from({ length: 10_000 }, (_, i) => `user-${i}`);

/** Where each key goes now (no calls held). */
function homes(fleet: Fleet, keys: readonly string[], options?: CallStrategyOptions, now = 0): ServiceRecord[] {
  return keys.map((key) => pickOnce(hash, fleet, { key, options, now }));
}

describe('balance:hash', () => {
  it('sends the same key to the same instance while it lives, with or without affinity', () => {
    const fleet = new Fleet();
    fleet.add(10);
    for (const options of [undefined, NO_AFFINITY]) {
      const first = homes(fleet, KEYS.slice(0, 2_000), options);
      const random = seededRandom(5);
      for (let round = 0; round < 3; round++) {
        // Shuffled order, so nothing depends on the order keys come in.
        const order = KEYS.slice(0, 2_000).map((key, i) => ({ key, i, r: random() })).sort((x, y) => x.r - y.r);
        for (const { key, i } of order) expect(pickOnce(hash, fleet, { key, options, now: round * 1_000 })).toBe(first[i]);
      }
    }
  });

  it('spreads keys evenly: 10,000 keys over 10 instances, each within 1,000 +- 150', () => {
    // Each count's standard deviation is 30 keys: 150 is 5 of them.
    const fleet = new Fleet();
    const records = fleet.add(10);
    const placed = homes(fleet, KEYS, NO_AFFINITY);
    for (const record of records) expect(Math.abs(placed.filter((p) => p === record).length - 1_000)).toBeLessThan(150);
  });

  it('without affinity, an 11th instance takes about 1/11 of 10,000 keys, all from the others evenly, and no other key moves', () => {
    // Expected 909 moves (standard deviation 29): 909 +- 150 is more than 5 deviations each way;
    // key % N would move about 9,100.
    const fleet = new Fleet();
    fleet.add(10);
    const before = homes(fleet, KEYS, NO_AFFINITY);
    const [eleventh] = fleet.add(1);
    const after = homes(fleet, KEYS, NO_AFFINITY);
    const moved = KEYS.filter((_, i) => after[i] !== before[i]).length;
    expect(Math.abs(moved - 10_000 / 11)).toBeLessThan(150);
    for (let i = 0; i < KEYS.length; i++) if (after[i] !== before[i]) expect(after[i]).toBe(eleventh);
  });

  it('with affinity, a joining instance moves no live key but takes about 1/11 of new keys', () => {
    const fleet = new Fleet();
    fleet.add(10);
    const before = homes(fleet, KEYS, undefined, 0);
    const [eleventh] = fleet.add(1);
    expect(homes(fleet, KEYS, undefined, 60_000)).toEqual(before);
    const fresh = KEYS.map((key) => `new-${key}`);
    const taken = homes(fleet, fresh, undefined, 60_000).filter((p) => p === eleventh).length;
    expect(Math.abs(taken - 10_000 / 11)).toBeLessThan(150);
  });

  it('moves only the keys of an instance that leaves', () => {
    for (const options of [undefined, NO_AFFINITY]) {
      const fleet = new Fleet();
      const records = fleet.add(10);
      const before = homes(fleet, KEYS, options);
      fleet.remove(records[3]!);
      const after = homes(fleet, KEYS, options);
      for (let i = 0; i < KEYS.length; i++) {
        if (before[i] === records[3]) expect(after[i]).not.toBe(records[3]);
        else expect(after[i]).toBe(before[i]);
      }
    }
  });

  it('forgets a key after affinity_ttl without calls: it then goes where hashing sends it', () => {
    const fleet = new Fleet();
    fleet.add(10);
    const options = { affinityTtlS: 30 };
    const before = homes(fleet, KEYS, options, 0);
    fleet.add(1);
    const hashed = homes(fleet, KEYS, NO_AFFINITY);
    // Used at 29 s: kept (and the TTL runs from then); at 29 s + 30 s: gone.
    expect(homes(fleet, KEYS, options, 29_000)).toEqual(before);
    expect(homes(fleet, KEYS, options, 59_000)).toEqual(hashed);
    expect(hashed).not.toEqual(before);
  });

  it('remembers at most affinity_max_entries keys, forgetting the least recently used', () => {
    const fleet = new Fleet();
    fleet.add(10);
    const options = { affinityMaxEntries: 100 };
    const before = homes(fleet, KEYS.slice(0, 1_000), options);
    const table = (fleet.group.strategyState.get('hash') as { affinity: Map<string, unknown> }).affinity;
    expect(table.size).toBe(100);
    expect([...table.keys()]).toEqual(KEYS.slice(900, 1_000));
    const [eleventh] = fleet.add(1);
    // The 100 remembered keys stay (asked first: asking new keys pushes old ones out); of the 900
    // forgotten ones, those the 11th now wins move.
    const after = [...homes(fleet, KEYS.slice(900, 1_000), options), ...homes(fleet, KEYS.slice(0, 900), options)];
    after.unshift(...after.splice(100));
    for (let i = 900; i < 1_000; i++) expect(after[i]).toBe(before[i]);
    const movedForgotten = KEYS.slice(0, 900).filter((_, i) => after[i] !== before[i]);
    expect(movedForgotten.length).toBeGreaterThan(0);
    for (let i = 0; i < 900; i++) if (after[i] !== before[i]) expect(after[i]).toBe(eleventh);
    expect(table.size).toBeLessThanOrEqual(100);
  });

  it('keeps a key in use off the forgetting end of the table', () => {
    const fleet = new Fleet();
    fleet.add(3);
    const options = { affinityMaxEntries: 3 };
    for (const key of ['a', 'b', 'c']) pickOnce(hash, fleet, { key, options, now: 0 });
    pickOnce(hash, fleet, { key: 'a', options, now: 2_000 });
    pickOnce(hash, fleet, { key: 'd', options, now: 2_000 });
    const table = (fleet.group.strategyState.get('hash') as { affinity: Map<string, unknown> }).affinity;
    expect([...table.keys()]).toEqual(['c', 'a', 'd']);
  });

  /** 20 keys with Zipf-like popularity (key k drawn with weight 1/(k+1)): the hottest brings 28 % of calls. */
  function hotKeys(random: () => number): () => string {
    const popularity = Array.from({ length: 20 }, (_, k) => 1 / (k + 1));
    const sum = popularity.reduce((a, b) => a + b, 0);
    return () => {
      let r = random() * sum;
      for (let k = 0; k < popularity.length; k++) if ((r -= popularity[k]!) < 0) return `hot-${k}`;
      return 'hot-19';
    };
  }

  it('with bounded load, no instance holds over 1.25x the mean load, even for hot keys', () => {
    // 2,000 calls held over 10 instances: the cap is ceil(1.25 x 200) = 250. Without the bound the
    // hottest key's instance alone would hold about 560.
    const fleet = new Fleet();
    const records = fleet.add(10);
    const random = seededRandom(21);
    const drawKey = hotKeys(random);
    for (let i = 0; i < 2_000; i++) noteCallRouted(pickOnce(hash, fleet, { key: drawKey(), random }).state);
    const loads = records.map((record) => record.state.inFlight);
    expect(loads.reduce((a, b) => a + b, 0)).toBe(2_000);
    expect(Math.max(...loads)).toBeLessThanOrEqual(Math.ceil(HASH_LOAD_FACTOR * 200));
    // The bound is what holds them: the busiest is at it.
    expect(Math.max(...loads)).toBeGreaterThanOrEqual(240);
  });

  it('with bounded load, each placement stays under 1.25x the mean while calls come and go', () => {
    // 5,000 placements, and after each a random held call ends with chance 1/2.
    const fleet = new Fleet();
    const records = fleet.add(10);
    const random = seededRandom(22);
    const drawKey = hotKeys(random);
    const held: ServiceRecord[] = [];
    for (let i = 0; i < 5_000; i++) {
      const picked = pickOnce(hash, fleet, { key: drawKey(), random });
      noteCallRouted(picked.state);
      held.push(picked);
      expect(picked.state.inFlight).toBeLessThanOrEqual(Math.ceil((HASH_LOAD_FACTOR * held.length) / records.length));
      if (random() < 0.5) {
        const [done] = held.splice(Math.floor(random() * held.length), 1);
        noteCallAnswered(done!.state, 1, false, 0);
      }
    }
  });

  it('sends a key back to its instance after a spill-over', () => {
    const fleet = new Fleet();
    fleet.add(4);
    const home = pickOnce(hash, fleet, { key: 'k' });
    for (let i = 0; i < 8; i++) noteCallRouted(home.state);
    const spilled = pickOnce(hash, fleet, { key: 'k' });
    expect(spilled).not.toBe(home);
    for (let i = 0; i < 8; i++) noteCallAnswered(home.state, 1, false, 0);
    expect(pickOnce(hash, fleet, { key: 'k' })).toBe(home);
  });

  it('sends a call without a key to the less busy of two', () => {
    const fleet = new Fleet();
    const [a, b] = fleet.add(2);
    noteCallRouted(a!.state);
    expect(pickOnce(hash, fleet, { key: undefined, random: seededRandom(1) })).toBe(b);
    expect(DEFAULT_AFFINITY_TTL_S).toBe(300);
  });
});
