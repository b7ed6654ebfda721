/**
 * Virtual targets: what a `balance:` proxy calls. `get_service` with a `balance:` mode gives the
 * caller a service whose methods target a peer id that no client has (`ws/~balanced-<id>`); the
 * router resolves it to one instance on every call (`balanced-pick.ts`). Each virtual target
 * belongs to the client that asked for it, is bounded per client, and is freed when that client
 * leaves. The same caller asking again for the same query, mode and config gets the same one.
 */
import { nanoid } from 'nanoid';
import { MycelError, type ServiceAddress } from '@mycel/protocol';
import type { CallStrategy, CallStrategyOptions } from './balancing/call-strategy.js';
import type { ServiceGroup, ServiceRecord } from './registry.js';

/** Client ids that start with this are virtual targets; no client may connect with one. */
export const VIRTUAL_CLIENT_PREFIX = '~balanced-';

/** Instances remembered per owner as reached through one of its virtual targets. */
const MAX_SERVED_PER_OWNER = 4096;

/** Worker sessions remembered per virtual target (callbacks that wait for the caller's answer). */
const MAX_CALLBACK_SESSIONS = 4096;

/** What a caller asked for, checked (the manager builds it from `get_service`). */
export interface VirtualTargetSpec {
  /** The client that asked: the only one that may call the target. */
  readonly owner: string;
  /** The query as the caller wrote it, for error messages. */
  readonly query: string;
  /** What the query names: workspace, service id, client (`*` for any) and app. */
  readonly address: ServiceAddress;
  /** The mode as written, for errors and logs. */
  readonly mode: string;
  readonly strategy: CallStrategy;
  /** Only instances whose metadata has each of these values. */
  readonly match: readonly (readonly [string, string])[];
  /** The affinity key of every call, unless the call names its own. */
  readonly key: string | undefined;
  readonly strategyOptions: CallStrategyOptions;
}

/** The pick context of one target, reused from call to call (the hot path allocates nothing). */
interface MutablePickContext {
  group: ServiceGroup;
  random: () => number;
  now: number;
  key: string | undefined;
  options: CallStrategyOptions;
}

/** A virtual target and what it keeps between calls. */
export interface VirtualTarget extends VirtualTargetSpec {
  /** `workspace/~balanced-<id>`: what the proxy's methods target. */
  readonly peerId: string;
  /** Its client id part. */
  readonly clientId: string;
  /** Service calls through it start with this: `services.<service id>.`. */
  readonly methodPrefix: string;
  /** The owner's client id: the affinity key when neither the config nor the call gives one. */
  readonly ownerClientId: string;
  /** The owner's workspace: what the access policy checks instances against. */
  readonly ownerWorkspace: string;
  /** The group the candidate cache was built from, and its version then. */
  cachedGroup: ServiceGroup | undefined;
  cachedVersion: number;
  /** Instances the query, access and `match` allow, in registration order. */
  eligible: ServiceRecord[];
  /** Those of the lowest priority level among them: the ones that serve. */
  serving: ServiceRecord[];
  /** Whether some serving instance has a `max_concurrency` (calls must then be filtered). */
  hasLimits: boolean;
  /** Reused for the filtered candidates of one call. */
  readonly scratch: ServiceRecord[];
  readonly context: MutablePickContext;
  /**
   * Calls an instance made back to the caller through this target (a callback with an answer
   * expected): the caller answers to this target, and the answer goes to that instance.
   * Session id -> instance peer id; bounded, oldest first out.
   */
  readonly callbacks: Map<string, string>;
}

/** The virtual targets of a hub. */
export class VirtualTargets {
  readonly #maxPerOwner: number;
  readonly #byPeerId = new Map<string, VirtualTarget>();
  /** Per owner: its targets by the identity of what was asked (query, mode and config). */
  readonly #byOwner = new Map<string, Map<string, VirtualTarget>>();
  /** Per owner: the virtual target through which each instance last got a call from it. */
  readonly #served = new Map<string, Map<string, string>>();

  /** @param maxPerOwner most virtual targets one client may hold */
  constructor(maxPerOwner: number) {
    this.#maxPerOwner = maxPerOwner;
  }

  /** How many virtual targets exist. */
  get size(): number {
    return this.#byPeerId.size;
  }

  /** The virtual target `peerId`, if there is one. */
  get(peerId: string): VirtualTarget | undefined {
    return this.#byPeerId.get(peerId);
  }

  /**
   * The owner's target for `spec`: the existing one when it asked for the same before, else a
   * new one. Throws `LIMIT_EXCEEDED` when the owner already holds the most allowed.
   */
  obtain(spec: VirtualTargetSpec): VirtualTarget {
    const identity = identityOf(spec);
    let owned = this.#byOwner.get(spec.owner);
    const existing = owned?.get(identity);
    if (existing) return existing;
    if ((owned?.size ?? 0) >= this.#maxPerOwner) {
      throw new MycelError(
        'LIMIT_EXCEEDED',
        `too many balanced services for "${spec.owner}" (limit ${this.#maxPerOwner}); reuse the proxies you have`,
      );
    }
    const clientId = `${VIRTUAL_CLIENT_PREFIX}${nanoid(12)}`;
    const target: VirtualTarget = {
      ...spec,
      peerId: `${spec.address.workspace}/${clientId}`,
      clientId,
      methodPrefix: `services.${spec.address.serviceId}.`,
      ownerClientId: spec.owner.slice(spec.owner.indexOf('/') + 1),
      ownerWorkspace: spec.owner.slice(0, spec.owner.indexOf('/')),
      cachedGroup: undefined,
      cachedVersion: -1,
      eligible: [],
      serving: [],
      hasLimits: false,
      scratch: [],
      // The group is set before every pick; until then no pick happens.
      context: { group: undefined as unknown as ServiceGroup, random: Math.random, now: 0, key: undefined, options: spec.strategyOptions },
      callbacks: new Map(),
    };
    if (!owned) {
      owned = new Map();
      this.#byOwner.set(spec.owner, owned);
    }
    owned.set(identity, target);
    this.#byPeerId.set(target.peerId, target);
    return target;
  }

  /** Remembers that `instancePeer` got a call through `target` (the latest such target wins). */
  noteServed(target: VirtualTarget, instancePeer: string): void {
    let byInstance = this.#served.get(target.owner);
    if (!byInstance) {
      byInstance = new Map();
      this.#served.set(target.owner, byInstance);
    }
    if (byInstance.get(instancePeer) === target.peerId) return;
    byInstance.delete(instancePeer);
    byInstance.set(instancePeer, target.peerId);
    if (byInstance.size > MAX_SERVED_PER_OWNER) {
      const oldest = byInstance.keys().next().value;
      if (oldest !== undefined) byInstance.delete(oldest);
    }
  }

  /**
   * The virtual target through which `owner` last called `instancePeer`, if it did: a
   * long-lived interface `owner` passed in such a call answers that target's name only.
   */
  servedThrough(owner: string, instancePeer: string): string | undefined {
    return this.#served.get(owner)?.get(instancePeer);
  }

  /** Whether `owner` holds any virtual target. */
  hasOwner(owner: string): boolean {
    return this.#byOwner.has(owner);
  }

  /** Frees every target of `owner` (it left); returns them. */
  dropOwner(owner: string): VirtualTarget[] {
    const owned = this.#byOwner.get(owner);
    if (!owned) return [];
    this.#byOwner.delete(owner);
    this.#served.delete(owner);
    const dropped = [...owned.values()];
    for (const target of dropped) this.#byPeerId.delete(target.peerId);
    return dropped;
  }
}

/**
 * Remembers that instance `instancePeerId` called back into the caller through `target`, in
 * session `session`, and waits for the caller's answer.
 */
export function noteCallbackSession(target: VirtualTarget, session: string, instancePeerId: string): void {
  const callbacks = target.callbacks;
  if (callbacks.size >= MAX_CALLBACK_SESSIONS && !callbacks.has(session)) {
    // Maps iterate in insertion order: the first key is the oldest.
    const oldest = callbacks.keys().next().value;
    if (oldest !== undefined) callbacks.delete(oldest);
  }
  callbacks.set(session, instancePeerId);
}

/** What makes two `get_service` asks the same target. */
function identityOf(spec: VirtualTargetSpec): string {
  const { address, mode, match, key, strategyOptions } = spec;
  return JSON.stringify([
    address.workspace,
    address.clientId,
    address.serviceId,
    address.appId ?? null,
    mode,
    [...match].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)),
    key ?? null,
    strategyOptions.affinityTtlS ?? null,
    strategyOptions.affinityMaxEntries ?? null,
  ]);
}
