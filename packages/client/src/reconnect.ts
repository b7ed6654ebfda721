/**
 * Reconnection policy: exponential backoff with jitter, capped low by default so a client is
 * back within about a second of its hub.
 */

/** How the SDK reconnects after an unexpected close. */
export interface ReconnectOptions {
  /** Reconnect at all. @default true */
  enabled?: boolean;
  /** Delay before the first attempt. @default 100 */
  initialDelayMs?: number;
  /** Largest delay between attempts. @default 1000 */
  maxDelayMs?: number;
  /** Growth of the delay per failed attempt. @default 2 */
  factor?: number;
  /** Random spread of each delay, as a share of it (0.2 = ±20 %). @default 0.2 */
  jitter?: number;
  /** Attempts before giving up. @default Infinity */
  maxAttempts?: number;
}

/** {@link ReconnectOptions} with every default filled in. */
export type ReconnectPolicy = Required<ReconnectOptions>;

/** The defaults of {@link ReconnectOptions}. */
export const DEFAULT_RECONNECT: Readonly<ReconnectPolicy> = Object.freeze({
  enabled: true,
  initialDelayMs: 100,
  maxDelayMs: 1000,
  factor: 2,
  jitter: 0.2,
  maxAttempts: Number.POSITIVE_INFINITY,
});

/** Fills in defaults; `false` disables reconnection. */
export function reconnectPolicy(options: boolean | ReconnectOptions | undefined): ReconnectPolicy {
  if (options === false) return { ...DEFAULT_RECONNECT, enabled: false };
  if (options === true || options === undefined) return { ...DEFAULT_RECONNECT };
  return { ...DEFAULT_RECONNECT, ...options };
}

/** Delay before attempt `attempt` (0-based): min(max, initial × factor^attempt) ± jitter. */
export function backoffDelay(attempt: number, policy: ReconnectPolicy, random: () => number = Math.random): number {
  const base = Math.min(policy.maxDelayMs, policy.initialDelayMs * policy.factor ** attempt);
  const spread = base * policy.jitter * (random() * 2 - 1);
  return Math.max(0, Math.round(base + spread));
}
