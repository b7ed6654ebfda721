/**
 * The callee's side of one call: how its answer gets back (Hypha's two promise forms), and
 * running the function, with heartbeats to the caller while an async result is pending.
 */
import type { Clock, TimerHandle } from './clock.js';
import { errorToPayload } from './errors.js';
import type { MethodMessage } from './envelope.js';
import type { MethodDescriptor } from './values.js';

/** How a call's answer gets back to its caller. */
export interface Answer {
  resolve?: (value: unknown) => void;
  reject?: (error: unknown) => void;
  heartbeat?: () => void;
  /** Heartbeat interval in seconds. */
  interval?: number;
}

/** Sends a fire-and-forget call: `(target, method, value, noArgs)`. */
export type Reply = (target: string, method: string, value: unknown, noArgs?: boolean) => void;

/**
 * Turns a call's `promise` (explicit descriptors, or `"*"` plus `t`) into callables. Returns
 * undefined when the message must be dropped: explicit descriptors may only point back at the
 * caller, or a caller could make this peer call anything anywhere in its name.
 *
 * @param normalise makes a descriptor's `_rtarget` absolute (relative to the caller's workspace)
 */
export function expandPromise(
  msg: MethodMessage,
  reply: Reply,
  normalise: (d: MethodDescriptor) => MethodDescriptor,
  onForeignTarget: (target: string) => void,
): Answer | undefined {
  const promise = msg.promise;
  if (!promise || !msg.session) return {};
  const from = msg.from;
  if (promise === '*') {
    const session = msg.session;
    return {
      resolve: (value) => reply(from, `${session}.resolve`, value),
      reject: (error) => reply(from, `${session}.reject`, errorToPayload(error)),
      heartbeat: () => reply(from, `${session}.heartbeat`, undefined, true),
      ...(msg.t ? { interval: msg.t } : {}),
    };
  }
  const targets: Record<string, MethodDescriptor> = {};
  for (const key of ['resolve', 'reject', 'heartbeat']) {
    const d = promise[key] as Partial<MethodDescriptor> | null | undefined;
    if (d === null || typeof d !== 'object' || d._rtype !== 'method' || typeof d._rtarget !== 'string' || typeof d._rmethod !== 'string') {
      continue;
    }
    const desc = normalise(d as MethodDescriptor);
    if (desc._rtarget !== from) {
      onForeignTarget(desc._rtarget);
      return undefined;
    }
    targets[key] = desc;
  }
  const via = (d: MethodDescriptor | undefined) => d && ((value?: unknown) => reply(d._rtarget, d._rmethod, value, value === undefined));
  const resolve = via(targets.resolve);
  const reject = via(targets.reject);
  const heartbeat = via(targets.heartbeat);
  return {
    ...(resolve && { resolve }),
    ...(reject && { reject: (error: unknown) => reject(errorToPayload(error)) }),
    ...(heartbeat && { heartbeat: () => heartbeat() }),
    ...(typeof promise.interval === 'number' && { interval: promise.interval }),
  };
}

/** What {@link runCall} needs from its peer. */
export interface RunContext {
  clock: Clock;
  /** Heartbeat timers of running calls, so the peer can clear them when it closes. */
  heartbeats: Set<{ handle: TimerHandle | undefined }>;
  isClosed: () => boolean;
  /** Reports the failure of a call nobody will hear of (fire-and-forget). */
  onUnheardFailure: (method: string, error: unknown) => void;
}

/** Runs `fn`, answers through `answer`, and heartbeats while an async result is pending. */
export function runCall(fn: (...args: unknown[]) => unknown, args: unknown[], answer: Answer, method: string, ctx: RunContext): void {
  const { resolve, reject, heartbeat, interval } = answer;
  const fail = (error: unknown) => {
    // The caller gets the message; the stack stays here, and only when nobody else will hear of it.
    if (!reject) ctx.onUnheardFailure(method, error);
    reject?.(error);
  };
  let result: unknown;
  try {
    result = fn(...args);
  } catch (error) {
    fail(error);
    return;
  }
  if (!isThenable(result)) {
    resolve?.(result);
    return;
  }
  let done = false;
  const beat = { handle: undefined as TimerHandle | undefined };
  if (heartbeat && interval && interval > 0) {
    const intervalMs = Math.max(interval * 1000, 100);
    const tick = () => {
      if (done || ctx.isClosed()) {
        ctx.heartbeats.delete(beat);
        return;
      }
      heartbeat();
      beat.handle = ctx.clock.setTimeout(tick, intervalMs);
    };
    beat.handle = ctx.clock.setTimeout(tick, intervalMs);
    ctx.heartbeats.add(beat);
  }
  const finish = () => {
    done = true;
    ctx.heartbeats.delete(beat);
    if (beat.handle !== undefined) ctx.clock.clearTimeout(beat.handle);
  };
  result.then(
    (value) => {
      finish();
      resolve?.(value);
    },
    (error: unknown) => {
      finish();
      fail(error);
    },
  );
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return value !== null && typeof value === 'object' && typeof (value as { then?: unknown }).then === 'function';
}
