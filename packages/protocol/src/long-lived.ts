/**
 * Long-lived interfaces: hypha-rpc's `_rintf` objects. A function passed as an argument lives as
 * long as its call; an object marked `_rintf: true` (or a function wrapped in {@link longLived})
 * lives until it is disposed. The sender keeps its functions as a local service
 * `_rintf_<id>` that only the peer it was sent to may call, and sends the object with each
 * function as a method of that service, plus `_dispose` (a method that releases it) and
 * `_rintf_service_id`. The receiver needs nothing special: the methods are ordinary service
 * methods, callable after the call that brought them has ended.
 *
 * Released by the holder calling `_dispose()`, by the owner ({@link LongLivedInterfaces.dispose}),
 * or when the holder leaves (its peer is forgotten). Bounded per holder and in all: one more is
 * refused with `LIMIT_EXCEEDED`, never evicting a live one.
 */
import { nanoid } from 'nanoid';
import { MycelError } from './errors.js';
import type { ServiceDefinition, ServiceFunction } from './local-services.js';
import type { MethodDescriptor } from './values.js';

/** Service ids of long-lived interfaces start with this (hypha-rpc's prefix). */
export const LONG_LIVED_PREFIX = '_rintf_';
/** Most live long-lived interfaces one peer may hold of another's. */
export const MAX_LONG_LIVED_PER_HOLDER = 256;
/** Most live long-lived interfaces a peer keeps in all. */
export const MAX_LONG_LIVED = 4096;
/** The member a function wrapped in {@link longLived} is called by in its interface. */
const FUNCTION_MEMBER = 'call';

const markedFunctions = new WeakSet<object>();

/**
 * Marks a callback (or an object of callbacks) as long-lived: passed to another peer, it stays
 * callable after the call it went with has ended, until the holder calls `_dispose()` on the
 * object (a function gets no `_dispose`), the owner disposes it, or the holder leaves. An object
 * marked by hand with `_rintf: true` is the same (hypha-rpc's form).
 *
 * @example
 * await jobs.start(longLived({ progress: (n: number) => console.log(n) }));
 * await jobs.watch(longLived((event: unknown) => console.log(event)));
 */
export function longLived<T extends object>(value: T): T {
  if (typeof value === 'function') {
    markedFunctions.add(value);
    return value;
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new TypeError('longLived() takes a function or an object of functions');
  }
  (value as Record<string, unknown>)._rintf = true;
  return value;
}

/** Whether `fn` was marked by {@link longLived}. */
export function isLongLivedFunction(fn: unknown): boolean {
  return typeof fn === 'function' && markedFunctions.has(fn);
}

/** Whether `value` is an object to send as a long-lived interface: `_rintf: true` and a function member. */
export function isLongLivedObject(value: object): boolean {
  const record = value as Record<string, unknown>;
  if (record._rintf !== true) return false;
  for (const key of Object.keys(record)) if (!key.startsWith('_') && typeof record[key] === 'function') return true;
  return false;
}

/** What the interfaces need from their peer. */
export interface LongLivedHost {
  addService(definition: ServiceDefinition): void;
  removeService(id: string): boolean;
  /** The descriptor of local method `method` (`services.<id>.<member>`). */
  descriptor(method: string, fn: ServiceFunction): MethodDescriptor;
  /** Runs when an interface is exported (the SDK then learns when holders leave). */
  onExport?: (() => void) | undefined;
}

/** One live interface. */
interface Live {
  readonly id: string;
  readonly holder: string;
  /** The wire form, sent again when the same object goes to the same holder. */
  readonly wire: Record<string, unknown> | MethodDescriptor;
}

/** The long-lived interfaces a peer exported. */
export class LongLivedInterfaces {
  readonly #host: LongLivedHost;
  readonly #live = new Map<string, Live>();
  readonly #byHolder = new Map<string, Set<string>>();
  /** What a value was exported as, per value: the same value to the same holder is one interface. */
  readonly #exported = new WeakMap<object, Live>();

  constructor(host: LongLivedHost) {
    this.#host = host;
  }

  /** How many interfaces are live. */
  get size(): number {
    return this.#live.size;
  }

  /** How many interfaces `holder` may call. */
  countFor(holder: string): number {
    return this.#byHolder.get(holder)?.size ?? 0;
  }

  /**
   * Exports object `value` (marked `_rintf: true`) for `holder`: its functions become the
   * methods of a new local service; its other members go through `encodeMember`. Throws
   * `LIMIT_EXCEEDED` past the limits.
   */
  exportObject(value: Record<string, unknown>, holder: string, encodeMember: (member: unknown, key: string) => unknown): Record<string, unknown> {
    const known = this.#reuse(value, holder);
    if (known) return known.wire as Record<string, unknown>;
    const id = this.#admit(holder);
    const definition: ServiceDefinition = { id, config: this.#config(holder) };
    for (const key of Object.keys(value)) {
      if (!key.startsWith('_') && typeof value[key] === 'function') definition[key] = value[key];
    }
    definition._dispose = () => void this.dispose(id);
    const wire: Record<string, unknown> = {};
    for (const key of Object.keys(value)) {
      if (key === '_rintf_service_id' || key === '_dispose') continue;
      const member = value[key];
      if (!key.startsWith('_') && typeof member === 'function') {
        wire[key] = this.#host.descriptor(`services.${id}.${key}`, member as ServiceFunction);
      } else if (member !== undefined) wire[key] = encodeMember(member, key);
    }
    wire._dispose = this.#host.descriptor(`services.${id}._dispose`, definition._dispose as ServiceFunction);
    wire._rintf_service_id = id;
    this.#keep(value, { id, holder, wire }, definition);
    // As hypha-rpc: the owner finds the id on its object, to dispose of it.
    value._rintf_service_id = id;
    return wire;
  }

  /** Exports a function marked by {@link longLived} for `holder`: the holder gets a plain method. */
  exportFunction(fn: ServiceFunction, holder: string): MethodDescriptor {
    const known = this.#reuse(fn, holder);
    if (known) return known.wire as MethodDescriptor;
    const id = this.#admit(holder);
    const definition: ServiceDefinition = { id, config: this.#config(holder), [FUNCTION_MEMBER]: fn };
    const wire = this.#host.descriptor(`services.${id}.${FUNCTION_MEMBER}`, fn);
    this.#keep(fn, { id, holder, wire }, definition);
    return wire;
  }

  /**
   * Releases an interface, given its id or the object or function that was exported (to every
   * holder it went to, for a value). Returns how many were released.
   */
  dispose(target: string | object): number {
    if (typeof target === 'string') return this.#release(target) ? 1 : 0;
    let count = 0;
    const id = (target as { _rintf_service_id?: unknown })._rintf_service_id;
    if (typeof id === 'string' && this.#release(id)) count++;
    const known = this.#exported.get(target);
    if (known && this.#release(known.id)) count++;
    return count;
  }

  /** Releases every interface `holder` may call (it left); returns how many. */
  forgetHolder(holder: string): number {
    const ids = this.#byHolder.get(holder);
    if (!ids) return 0;
    let count = 0;
    for (const id of [...ids]) if (this.#release(id)) count++;
    return count;
  }

  #reuse(value: object, holder: string): Live | undefined {
    const known = this.#exported.get(value);
    return known && known.holder === holder && this.#live.get(known.id) === known ? known : undefined;
  }

  /** A fresh id, or `LIMIT_EXCEEDED`. */
  #admit(holder: string): string {
    const held = this.countFor(holder);
    if (held >= MAX_LONG_LIVED_PER_HOLDER) {
      throw new MycelError(
        'LIMIT_EXCEEDED',
        `too many long-lived interfaces for "${holder}" (limit ${MAX_LONG_LIVED_PER_HOLDER}); dispose of the ones it no longer needs (_dispose())`,
      );
    }
    if (this.#live.size >= MAX_LONG_LIVED) {
      throw new MycelError('LIMIT_EXCEEDED', `too many long-lived interfaces (limit ${MAX_LONG_LIVED}); dispose of the ones no longer needed (_dispose())`);
    }
    return `${LONG_LIVED_PREFIX}${nanoid(16)}`;
  }

  #config(holder: string): Record<string, unknown> {
    // `_local_only`: never registered with the hub (hypha-rpc's flag; its register_service drops it too).
    return { visibility: 'protected', _local_only: true, _rintf_allowed_caller: holder };
  }

  #keep(value: object, live: Live, definition: ServiceDefinition): void {
    this.#host.addService(definition);
    this.#live.set(live.id, live);
    let ids = this.#byHolder.get(live.holder);
    if (!ids) {
      ids = new Set();
      this.#byHolder.set(live.holder, ids);
    }
    ids.add(live.id);
    this.#exported.set(value, live);
    this.#host.onExport?.();
  }

  #release(id: string): boolean {
    const live = this.#live.get(id);
    if (!live) return false;
    this.#live.delete(id);
    this.#host.removeService(id);
    const ids = this.#byHolder.get(live.holder);
    ids?.delete(id);
    if (ids?.size === 0) this.#byHolder.delete(live.holder);
    return true;
  }
}

/** Whether service id `id` names a long-lived interface. */
export function isLongLivedId(id: string): boolean {
  return id.startsWith(LONG_LIVED_PREFIX);
}
