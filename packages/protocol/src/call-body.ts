/**
 * The body (`extra`) of an outgoing call: its encoded arguments, keyword arguments, and the promise
 * form that tells the callee where the answer goes (Hypha's two forms, `hypha-wire.md` §2).
 */
import { encodeValue, isPlain, type ValueHooks } from './values.js';

/** What a call body is made from. */
export interface CallBodyParts {
  args: readonly unknown[];
  kwargs: Record<string, unknown> | undefined;
  /** Whether the callee's heartbeats may extend the call (`promise: "*"` with `t`). */
  heartbeats: boolean;
  timeoutMs: number;
  /** The caller's session and address: where explicit callbacks point. */
  session: string;
  caller: string;
  /** Hooks that export functions into the call's session (made only when a value needs them). */
  hooks: () => ValueHooks;
}

/** Builds the body of a call. Throws `BAD_MESSAGE` when an argument cannot be encoded. */
export function callBody(parts: CallBodyParts): Record<string, unknown> {
  const { kwargs, session, caller } = parts;
  const all = kwargs ? [...parts.args, kwargs] : parts.args;
  let hooks: ValueHooks | undefined;
  const encoded = new Array<unknown>(all.length);
  for (let i = 0; i < all.length; i++) {
    const a = all[i];
    encoded[i] = isPlain(a) ? (a ?? null) : encodeValue(a, (hooks ??= parts.hooks()), `arg${i}`);
  }
  // Every official sender pairs "*" with `t` (hypha-rpc's Python callee reads `t` to expand it);
  // a call without heartbeats sends explicit callbacks and no heartbeat, so the callee sends none.
  const callback = (key: string) => ({ _rtype: 'method', _rtarget: caller, _rmethod: `${session}.${key}`, _rpromise: false });
  const body: Record<string, unknown> = parts.heartbeats
    ? { args: encoded, promise: '*', t: parts.timeoutMs / 2000 }
    : { args: encoded, promise: { resolve: callback('resolve'), reject: callback('reject') } };
  if (kwargs) body.with_kwargs = true;
  return body;
}
