/**
 * What a per-call strategy is (the `balance:` modes): a synchronous function that picks one
 * instance among candidates for one call, with what it may read (the service group and its
 * strategy state, hub time, a random source, the call's affinity key). Unlike the `select:`
 * strategies of `strategy.ts` it never calls out and never waits: it runs on every call.
 * Each strategy is one file in this folder and one line in `call-strategies.ts`.
 */
import type { ServiceGroup, ServiceRecord } from '../registry.js';

/** What a per-call strategy may read while it picks. */
export interface PickContext {
  /** The group the candidates belong to; per-strategy state lives in group.strategyState. */
  readonly group: ServiceGroup;
  /** Uniform random number in [0, 1). */
  readonly random: () => number;
  /** Hub time, ms. */
  readonly now: number;
  /** The affinity key of this call (balance:hash): config.key, the per-call key, else the caller's client id. */
  readonly key: string | undefined;
  /** The caller's options for strategies that take some (balance:hash); defaults when absent. */
  readonly options?: CallStrategyOptions | undefined;
}

/** A per-call strategy: picks one of `candidates` for one call. Synchronous, allocation-light. */
export interface CallStrategy {
  /** The name after `balance:` (e.g. "round_robin"). */
  readonly name: string;
  /**
   * Picks one candidate. `candidates` is never empty and is already filtered by the hub
   * (caller's `match`, lowest `priority` level present, instances not at `max_concurrency`);
   * it may be a subset of group.instances, and differ from call to call. It keeps the group's
   * order (registration order), which round robin relies on for exact turns over a subset.
   */
  pick(candidates: readonly ServiceRecord[], context: PickContext): ServiceRecord;
}

/** Options some strategies take from the caller's getService config (validated by the caller's config parser). */
export interface CallStrategyOptions {
  /** balance:hash: seconds a key keeps its instance. */
  readonly affinityTtlS?: number;
  /** balance:hash: bound of the affinity table. */
  readonly affinityMaxEntries?: number;
}

/**
 * The weight of an instance (its registration config `weight`: an integer >= 1, default 1,
 * checked at registration). Every strategy reads weights through this one function.
 */
export function instanceWeight(record: ServiceRecord): number {
  return record.balancing.weight;
}

/**
 * The state a strategy keeps for `group` under its name, created by `create` on first use.
 * A strategy that derives something from the group's instances keeps `group.version` in its
 * state and rebuilds when it moved.
 */
export function strategyStateOf<S>(group: ServiceGroup, name: string, create: () => S): S {
  let state = group.strategyState.get(name) as S | undefined;
  if (state === undefined) {
    state = create();
    group.strategyState.set(name, state);
  }
  return state;
}

/**
 * The group's instances at one `version`, and each one's position there: a strategy that keeps a
 * number per instance keeps it in an array by position, and rebuilds when `group.version` moves.
 */
export interface InstancePositions {
  readonly version: number;
  readonly instances: readonly ServiceRecord[];
  readonly positions: ReadonlyMap<ServiceRecord, number>;
}

/** Takes the positions of the group's instances now. */
export function instancePositions(group: ServiceGroup): InstancePositions {
  const instances = group.instances.slice();
  return { version: group.version, instances, positions: new Map(instances.map((record, position) => [record, position])) };
}

/** The position of `candidates[index]` in the group, undefined if it is not there. */
export function positionOf(at: InstancePositions, candidates: readonly ServiceRecord[], index: number): number | undefined {
  const record = candidates[index] as ServiceRecord;
  // Candidates keep the group's order: when they are all of it, each is at its own index (no lookup).
  return at.instances[index] === record ? index : at.positions.get(record);
}
