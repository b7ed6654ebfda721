/**
 * Public types of the SDK: typed service proxies, service definitions and options.
 */
import type { ModeString, ServiceConfig } from '@mycel/protocol';

/** What `register_service` records and `listServices` returns for one service. */
export interface ServiceInfo {
  /** Full id: `workspace/client_id:service_id`. */
  id: string;
  name: string;
  type: string;
  description: string;
  docs?: string;
  app_id?: string;
  config: ServiceConfig & { workspace?: string };
  service_schema?: unknown;
  [key: string]: unknown;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyFunction = (...args: any[]) => unknown;

/** A remote function: same parameters, always returns a Promise of the awaited result. */
export type RemoteFunction<F> = F extends (...args: infer A) => infer R ? (...args: A) => Promise<Awaited<R>> : never;

/** Fields every service proxy carries besides its functions. */
export interface ServiceProxyMeta {
  /**
   * Full id of the instance the proxy is bound to; for a `balance:` proxy, of the virtual peer
   * the hub resolves per call (`workspace/~balanced-...:service`).
   */
  id: string;
  name?: string;
  description?: string;
  config?: ServiceConfig & { workspace?: string; mode?: string };
}

/**
 * A proxy for a remote service typed from `T`: every function returns a Promise, nested objects
 * are proxied the same way, other values come as they are.
 *
 * @example
 * interface Math { add(a: number, b: number): number }
 * const math = await api.getService<Math>('math');
 * const sum: number = await math.add(1, 2);
 */
export type ServiceProxy<T> = {
  [K in keyof T]: T[K] extends AnyFunction ? RemoteFunction<T[K]> : T[K] extends object ? ServiceProxy<T[K]> : T[K];
} & ServiceProxyMeta & {
  /**
   * The same proxy, each of whose calls carries the affinity key `key`: a `balance:hash` proxy
   * sends calls with the same key to the same instance, without a `getService` per key. On a
   * proxy that does not balance by key the key has no effect. (Absent when the service has a
   * member named `withKey`.)
   *
   * @example
   * const carts = await api.getService<Carts>('carts', { mode: 'balance:hash' });
   * await carts.withKey(userId).add(item);
   */
  withKey(key: string | number): ServiceProxy<T>;
};

/**
 * What `getService` gives without a type argument: `any`, as hypha-rpc's `getService` does. Every
 * member is callable (a remote function answers a promise) and the proxy can be assigned to a
 * variable of any service interface, so code written for hypha-rpc compiles unchanged, also
 * under `noUncheckedIndexedAccess`. Pass a type argument to have calls checked.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type UntypedServiceProxy = any;

/** The proxy `getService<T>` resolves with: typed from `T`, untyped when no `T` is given. */
export type ServiceProxyOf<T> = [T] extends [never] ? UntypedServiceProxy : ServiceProxy<T>;

/** A value a service may expose: functions, plain data, or nested objects of them. */
export type ServiceMember = AnyFunction | string | number | boolean | null | Uint8Array | readonly unknown[] | { [key: string]: ServiceMember };

/** What `registerService` accepts: an id, optional metadata and config, and members. */
export type ServiceDefinition<T extends Record<string, unknown> = Record<string, unknown>> = T & {
  id: string;
  name?: string;
  description?: string;
  type?: string;
  docs?: string;
  config?: ServiceConfig;
} & { [K in keyof T]: K extends 'config' ? ServiceConfig | undefined : ServiceMember | undefined };

/**
 * Options of `getService`. Every field but `selectOn` goes to the hub as the `config` of
 * `get_service`, unknown ones included (the hub ignores what it does not know).
 */
export interface GetServiceOptions {
  /**
   * How to choose among several instances: once (`exact`, `random`, `first`, `last`,
   * `select:min:FN`, `select:max:FN`, `select:first_success:FN`) or for every call
   * (`balance:round_robin`, `balance:random`, `balance:weighted`, `balance:least_inflight`,
   * `balance:p2c`, `balance:least_latency`, `balance:hash`; see docs/balancing.md). Editors
   * complete these forms; any string is accepted and checked by the hub (a malformed mode is
   * refused with `BAD_MODE`).
   * @default "random" in the `public` workspace, "exact" elsewhere
   */
  mode?: ModeString;
  /** `balance:` modes: only instances whose `config.metadata` has each of these values. */
  match?: Record<string, string>;
  /** `balance:hash`: the affinity key of every call (per call: `proxy.withKey(key)`). @default the caller's client id */
  key?: string | number;
  /** `balance:hash`: seconds a key keeps its instance. */
  affinity_ttl?: number;
  /** `balance:hash`: most keys whose instance is remembered. */
  affinity_max_entries?: number;
  /** Any other field is passed to the hub as it is. */
  [field: string]: unknown;
  /**
   * `select:` modes: when no instance has the function (a typo), fail with `METHOD_NOT_FOUND`
   * instead of choosing at random (the hub logs a warning either way). @default false
   */
  strict?: boolean;
  /** Bound of a `select:` probe round, in seconds. @default 2 */
  select_timeout?: number;
  /** Seconds to wait for the service description. @default 10 */
  timeout?: number;
  /**
   * Where a `select:` mode runs: `"hub"` (one hop per probe) or `"client"` (this SDK probes
   * through the hub with the same selection core). @default "hub"
   */
  selectOn?: 'hub' | 'client';
}

/** Options of `registerService`. */
export interface RegisterServiceOptions {
  /** Replace a local service with the same id. @default false */
  overwrite?: boolean;
}

/** An event as delivered to `on` handlers: the whole message, payload in `data`. */
export interface HubEvent<D = unknown> {
  type: string;
  data: D;
  from?: string;
  [key: string]: unknown;
}
