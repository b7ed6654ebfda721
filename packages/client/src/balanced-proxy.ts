/**
 * Per-call affinity keys: `proxy.withKey(key)` gives a view of a proxy whose calls carry `key`
 * (the header field `balance_key`), so one `balance:hash` proxy serves every user or session
 * without a `getService` per key. On a proxy that does not balance the key has no effect.
 */
import { bindDescriptor, descriptorOf, MAX_VALUE_DEPTH, type CallOptions } from '@mycel/protocol';

/** Longest per-call key (the hub refuses longer ones). */
export const MAX_CALL_KEY_LENGTH = 256;

/** Makes one call through the client's current peer. */
export type KeyedCall = (target: string, method: string, args: unknown[], options: CallOptions) => Promise<unknown>;

/**
 * Gives `proxy` a non-enumerable `withKey(key)`, unless the service has a member of that name.
 *
 * @example
 * const carts = await api.getService<Carts>('carts', { mode: 'balance:hash' });
 * await carts.withKey(userId).add(item); // every call for this user lands on the same instance
 */
export function addWithKey<P extends object>(proxy: P, call: KeyedCall): P {
  if (Object.hasOwn(proxy, 'withKey')) return proxy;
  Object.defineProperty(proxy, 'withKey', {
    value: (key: string | number) => keyed(proxy, checkKey(key), call, 0),
    enumerable: false,
  });
  return proxy;
}

function checkKey(key: unknown): string {
  if (typeof key === 'number' && Number.isFinite(key)) return String(key);
  if (typeof key !== 'string' || key.length > MAX_CALL_KEY_LENGTH) {
    throw new TypeError(`withKey needs a string of at most ${MAX_CALL_KEY_LENGTH} characters or a finite number`);
  }
  return key;
}

/** A copy of `value` whose remote functions send `key` with every call. */
function keyed(value: unknown, key: string, call: KeyedCall, depth: number): unknown {
  if (typeof value === 'function') {
    const descriptor = descriptorOf(value);
    // Fire-and-forget functions keep their own path: a key only steers calls that are answered.
    if (!descriptor || descriptor._rpromise === false) return value;
    const stub = (...args: unknown[]) => call(descriptor._rtarget, descriptor._rmethod, args, { balanceKey: key });
    Object.defineProperty(stub, 'name', { value: (value as { name?: string }).name ?? 'remote' });
    return bindDescriptor(stub, descriptor);
  }
  if (value === null || typeof value !== 'object' || depth >= MAX_VALUE_DEPTH || value instanceof Uint8Array) return value;
  if (Array.isArray(value)) return value.map((item) => keyed(item, key, call, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [name, item] of Object.entries(value)) out[name] = keyed(item, key, call, depth + 1);
  return out;
}
