/**
 * The body (`extra`) of an outgoing call: its encoded arguments, keyword arguments, and the promise
 * form that tells the callee where the answer goes (`"*"` with `t`, as every hypha-rpc sender).
 */
import { encodeValue, isPlain, type ValueHooks } from './values.js';

/** What a call body is made from. */
export interface CallBodyParts {
  args: readonly unknown[];
  kwargs: Record<string, unknown> | undefined;
  timeoutMs: number;
  /** Hooks that export functions into the call's session (made only when a value needs them). */
  hooks: () => ValueHooks;
}

/** Builds the body of a call. Throws `BAD_MESSAGE` when an argument cannot be encoded. */
export function callBody(parts: CallBodyParts): Record<string, unknown> {
  const { kwargs } = parts;
  const all = kwargs ? [...parts.args, kwargs] : parts.args;
  let hooks: ValueHooks | undefined;
  const encoded = new Array<unknown>(all.length);
  for (let i = 0; i < all.length; i++) {
    const a = all[i];
    encoded[i] = isPlain(a) ? (a ?? null) : encodeValue(a, (hooks ??= parts.hooks()), `arg${i}`);
  }
  // Every official sender pairs "*" with `t` (hypha-rpc's Python callee reads `t` to expand it),
  // also for a call without heartbeats: its callee may send them, and the call table ignores them.
  // (Explicit callbacks would name this peer's own id, which is not always the `from` the hub
  // stamps: the HTTP gateway's peer speaks in many workspaces.)
  const body: Record<string, unknown> = { args: encoded, promise: '*', t: parts.timeoutMs / 2000 };
  if (kwargs) body.with_kwargs = true;
  return body;
}
