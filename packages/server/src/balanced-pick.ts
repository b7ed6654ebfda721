/**
 * The per-call choice of a virtual target: which instances may serve (the query's, those the
 * caller may use, those its `match` allows, not draining, of the lowest `priority` level present,
 * and not at their `max_concurrency`), then the `balance:` strategy picks one. The candidate list is rebuilt
 * only when the service's instances change (`group.version`); a call allocates nothing.
 */
import { mayUse } from './access-policy.js';
import { UNBOUNDED_CONCURRENCY } from './balancing/instance-config.js';
import { isDraining } from './health/draining.js';
import type { Registry, ServiceGroup, ServiceRecord } from './registry.js';
import type { VirtualTarget } from './virtual-targets.js';

/** No instance of the service is there (that the caller may use and its `match` allows). */
export const NO_INSTANCE = 'none';
/** Every serving instance is at its `max_concurrency`: the call must wait. */
export const ALL_BUSY = 'busy';

/** The outcome of one pick. */
export type PickOutcome = ServiceRecord | typeof NO_INSTANCE | typeof ALL_BUSY;

/**
 * Picks the instance one call through `target` goes to.
 *
 * @param key the call's own affinity key, if it gives one
 */
export function pickInstance(target: VirtualTarget, registry: Registry, key: string | undefined, now: number): PickOutcome {
  // The registry drops a group only once it is empty, and makes a new one when an instance
  // returns: a cached group that still has instances is the live one (no key string per call).
  let group = target.cachedGroup;
  if (!group || group.instances.length === 0) {
    group = registry.group(target.address.workspace, target.address.serviceId);
    if (!group) return NO_INSTANCE;
  }
  if (group !== target.cachedGroup || group.version !== target.cachedVersion) refresh(target, group);
  let candidates = target.serving;
  if (candidates.length === 0) return NO_INSTANCE;
  if (target.hasLimits) {
    const scratch = target.scratch;
    scratch.length = 0;
    for (let i = 0; i < candidates.length; i++) {
      const record = candidates[i] as ServiceRecord;
      if (record.state.inFlight < record.balancing.maxConcurrency) scratch.push(record);
    }
    if (scratch.length === 0) return ALL_BUSY;
    candidates = scratch;
  }
  const context = target.context;
  context.group = group;
  context.now = now;
  context.key = key ?? target.key ?? target.ownerClientId;
  return target.strategy.pick(candidates, context);
}

/** Whether `record` is one of the instances `target` may send calls to now. */
export function isServing(target: VirtualTarget, record: ServiceRecord): boolean {
  return target.serving.includes(record);
}

/** Rebuilds the candidate cache of `target` from the group's instances. */
function refresh(target: VirtualTarget, group: ServiceGroup): void {
  const { address, match, ownerWorkspace } = target;
  const eligible: ServiceRecord[] = [];
  let lowest = Number.POSITIVE_INFINITY;
  for (const record of group.instances) {
    if (address.clientId !== '*' && record.clientId !== address.clientId) continue;
    if (address.appId && address.appId !== '*' && record.appId !== address.appId) continue;
    if (!mayUse(record, ownerWorkspace)) continue;
    if (!matches(record, match)) continue;
    // A draining instance takes no new calls (starting to drain moves the group's version).
    if (isDraining(record)) continue;
    eligible.push(record);
    if (record.balancing.priority < lowest) lowest = record.balancing.priority;
  }
  // Failover: the lowest level present serves; the next takes over when it empties, and gives
  // back as soon as an instance of a lower level returns (the next refresh sees it).
  const serving = eligible.filter((record) => record.balancing.priority === lowest);
  target.eligible = eligible;
  target.serving = serving;
  target.hasLimits = serving.some((record) => record.balancing.maxConcurrency !== UNBOUNDED_CONCURRENCY);
  target.cachedGroup = group;
  target.cachedVersion = group.version;
}

function matches(record: ServiceRecord, match: readonly (readonly [string, string])[]): boolean {
  const metadata = record.balancing.metadata;
  for (const [key, value] of match) {
    if (!Object.hasOwn(metadata, key) || metadata[key] !== value) return false;
  }
  return true;
}
