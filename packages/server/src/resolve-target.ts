/**
 * Where a call goes: the one place the router asks for the peer a frame to `to` is delivered to,
 * and for the service instance a call names. A target is a peer id and resolves to that peer,
 * or a virtual target (a `balance:` proxy, `virtual-targets.ts`) that resolves to one instance
 * per call (`balanced-pick.ts`); the router then answers in the virtual target's name.
 */
import { pickInstance, type PickOutcome } from './balanced-pick.js';
import type { Registry, ServiceRecord } from './registry.js';
import type { VirtualTarget, VirtualTargets } from './virtual-targets.js';

/** The prefix of a call to a service function: `services.<service id>.<function>`. */
const SERVICES_PREFIX = 'services.';

/** Resolves call targets against the connected clients and the registry. */
export class TargetResolver<C extends { readonly peerId: string }> {
  readonly #clients: ReadonlyMap<string, C>;
  readonly #registry: Registry;
  readonly #virtual: VirtualTargets | undefined;

  constructor(clients: ReadonlyMap<string, C>, registry: Registry, virtual?: VirtualTargets) {
    this.#clients = clients;
    this.#registry = registry;
    this.#virtual = virtual;
  }

  /**
   * The connection a frame addressed to `target` (a full peer id) goes to, or undefined when
   * nobody is there (or `target` is virtual: see {@link virtualTarget}).
   */
  resolve(target: string): C | undefined {
    return this.#clients.get(target);
  }

  /** The virtual target `target` names, if it is one. */
  virtualTarget(target: string): VirtualTarget | undefined {
    return this.#virtual?.get(target);
  }

  /** Remembers that `instancePeer` got a call through `target`. */
  noteServed(target: VirtualTarget, instancePeer: string): void {
    this.#virtual?.noteServed(target, instancePeer);
  }

  /** The virtual target through which `owner` last called `instancePeer`, if any. */
  servedThrough(owner: string, instancePeer: string): string | undefined {
    return this.#virtual?.servedThrough(owner, instancePeer);
  }

  /** The instance one call through `target` goes to now (see `pickInstance`). */
  pick(target: VirtualTarget, key: string | undefined, now: number): PickOutcome {
    return pickInstance(target, this.#registry, key, now);
  }

  /** Whether `record` is still registered (its instance has not left). */
  isRegistered(record: ServiceRecord): boolean {
    return this.#registry.get(record.id) === record;
  }

  /**
   * The service instance a call to `callee` names with `method` (`services.<id>.<fn>`), or
   * undefined when it names none (a callback, or a service not registered).
   */
  instanceOf(callee: C, method: unknown): ServiceRecord | undefined {
    if (typeof method !== 'string' || !method.startsWith(SERVICES_PREFIX)) return undefined;
    const dot = method.indexOf('.', SERVICES_PREFIX.length);
    if (dot < 0) return undefined;
    return this.#registry.instance(callee.peerId, method.slice(SERVICES_PREFIX.length, dot));
  }
}
