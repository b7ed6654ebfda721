/**
 * `get_service` with a `balance:` mode: instead of one instance's service, the caller gets a
 * service whose methods target a virtual peer (`virtual-targets.ts`) that the router resolves
 * to an instance on every call. The description (its functions, docs, schema) is one current
 * instance's, with every method re-pointed at the virtual peer, so any client, hypha-rpc
 * included, calls it as it would call one instance.
 */
import { descriptorOf, formatMode, MAX_VALUE_DEPTH, MycelError, type Mode, type ServiceAddress } from '@mycel/protocol';
import { mayUse } from '../access-policy.js';
import { callStrategyOf } from '../balancing/balance.js';
import type { CallerConfig } from '../balancing/caller-config.js';
import type { ServiceRecord } from '../registry.js';
import type { VirtualTarget, VirtualTargets } from '../virtual-targets.js';

/** Config fields that describe one instance, not the balanced service. */
const INSTANCE_FIELDS = ['weight', 'priority', 'metadata', 'max_concurrency'];

/** What a balanced service needs to be described. */
export interface BalancedAsk {
  /** The caller. */
  readonly owner: string;
  readonly ownerWorkspace: string;
  readonly query: string;
  readonly address: ServiceAddress;
  readonly mode: Extract<Mode, { kind: 'balance' }>;
  readonly config: CallerConfig;
}

/**
 * The virtual target for `ask` and the instance that describes it (the first one that may
 * serve). Throws `BAD_MODE` for a strategy this hub does not have (`callStrategyOf`), `SERVICE_NOT_FOUND` when no
 * instance is there now (the proxy would have no functions to show).
 */
export function balancedTarget(
  ask: BalancedAsk,
  instances: readonly ServiceRecord[],
  targets: VirtualTargets,
): { target: VirtualTarget; describedBy: ServiceRecord } {
  const { mode, config } = ask;
  const strategy = callStrategyOf(mode);
  const describedBy = instances.find(
    (r) => mayUse(r, ask.ownerWorkspace) && config.match.every(([key, value]) => Object.hasOwn(r.balancing.metadata, key) && r.balancing.metadata[key] === value),
  );
  if (!describedBy) {
    const filter = config.match.length > 0 ? ` matching ${JSON.stringify(Object.fromEntries(config.match))}` : '';
    throw new MycelError('SERVICE_NOT_FOUND', `service "${ask.query}"${filter} not found`);
  }
  const target = targets.obtain({
    owner: ask.owner,
    query: ask.query,
    address: ask.address,
    mode: formatMode(mode),
    strategy,
    match: config.match,
    key: config.key,
    strategyOptions: config.strategyOptions,
  });
  return { target, describedBy };
}

/**
 * The balanced service as the caller gets it: `remote` (one instance's service) with its id,
 * config and every method of that instance re-pointed at the virtual target.
 */
export function describeBalanced(remote: Record<string, unknown>, instance: ServiceRecord, target: VirtualTarget): Record<string, unknown> {
  const out = retarget(remote, instance.peerId, target.peerId, 0) as Record<string, unknown>;
  const config: Record<string, unknown> = Object.assign({}, remote.config as Record<string, unknown> | undefined);
  for (const field of INSTANCE_FIELDS) delete config[field];
  config.workspace = instance.workspace;
  config.mode = target.mode;
  out.id = `${target.peerId}:${instance.serviceId}`;
  out.config = config;
  return out;
}

/** The info `get_service_info` gives for a balanced service: the describing instance's, re-addressed. */
export function balancedInfo(instance: ServiceRecord, target: VirtualTarget): Record<string, unknown> {
  return describeBalanced(instance.info, instance, target);
}

/** `value` with every method of `from` pointed at `to` (as plain descriptors). */
function retarget(value: unknown, from: string, to: string, depth: number): unknown {
  if (typeof value === 'function') {
    const descriptor = descriptorOf(value);
    if (!descriptor) return value;
    return descriptor._rtarget === from ? Object.assign({}, descriptor, { _rtarget: to }) : value;
  }
  if (value === null || typeof value !== 'object' || value instanceof Uint8Array || depth >= MAX_VALUE_DEPTH) return value;
  if (Array.isArray(value)) return value.map((item) => retarget(item, from, to, depth + 1));
  const record = value as Record<string, unknown>;
  if (record._rtype === 'method' && record._rtarget === from) return Object.assign({}, record, { _rtarget: to });
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(record)) out[key] = retarget(item, from, to, depth + 1);
  return out;
}
