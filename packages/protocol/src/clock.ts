/**
 * The injected clock. The protocol package never touches global timers directly, so tests can
 * drive time and the engine stays free of host APIs.
 */

/** Longest delay host timers accept. */
const MAX_TIMER_MS = 2_147_483_647;

/** An opaque timer handle. */
export type TimerHandle = unknown;

/** Time source and timers used by the peer engine and the selection core. */
export interface Clock {
  /** Milliseconds on a monotonic-enough scale. */
  now(): number;
  /** Schedules `fn` after `ms`; the timer must not keep a host process alive. */
  setTimeout(fn: () => void, ms: number): TimerHandle;
  /** Cancels a timer made by {@link Clock.setTimeout}. */
  clearTimeout(handle: TimerHandle): void;
}

/**
 * The clock backed by the host's global timers, with timers `unref()`'d where the host supports it.
 * Global timers are looked up at call time so fake timers installed by tests take effect.
 */
export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout(fn, ms) {
    // Hosts turn delays past 2^31-1 ms into 1 ms; clamp instead (24.8 days is "never" enough).
    const handle = hostTimers().setTimeout(fn, Math.min(ms, MAX_TIMER_MS)) as { unref?: () => void };
    handle.unref?.();
    return handle;
  },
  clearTimeout(handle) {
    hostTimers().clearTimeout(handle);
  },
};

/** The host's timer functions; this package compiles without host type definitions. */
interface HostTimers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

function hostTimers(): HostTimers {
  return globalThis as unknown as HostTimers;
}
