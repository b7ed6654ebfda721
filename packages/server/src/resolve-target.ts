/**
 * Where a call goes: the one place the router asks for the peer a frame to `to` is delivered to,
 * and for the service instance a call names. Today a target is a peer id and resolves to that
 * peer. Per-call balancing plugs in here: a virtual target resolves to one instance per call
 * (its connection differs from `to`, and the router then answers in `to`'s name).
 */
import type { Registry } from './registry.js';
import type { InstanceState } from './instance-state.js';

/** The prefix of a call to a service function: `services.<service id>.<function>`. */
const SERVICES_PREFIX = 'services.';

/** Resolves call targets against the connected clients and the registry. */
export class TargetResolver<C extends { readonly peerId: string }> {
  readonly #clients: ReadonlyMap<string, C>;
  readonly #registry: Registry;

  constructor(clients: ReadonlyMap<string, C>, registry: Registry) {
    this.#clients = clients;
    this.#registry = registry;
  }

  /**
   * The connection a frame addressed to `target` (a full peer id) goes to, or undefined when
   * nobody is there. Today: the client named `target`.
   */
  resolve(target: string): C | undefined {
    return this.#clients.get(target);
  }

  /**
   * The live state of the service instance a call to `callee` names with `method`
   * (`services.<id>.<fn>`), or undefined when it names none (a callback, or a service not registered).
   */
  instanceOf(callee: C, method: unknown): InstanceState | undefined {
    if (typeof method !== 'string' || !method.startsWith(SERVICES_PREFIX)) return undefined;
    const dot = method.indexOf('.', SERVICES_PREFIX.length);
    if (dot < 0) return undefined;
    return this.#registry.instance(callee.peerId, method.slice(SERVICES_PREFIX.length, dot))?.state;
  }
}
