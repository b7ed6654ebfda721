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

/** What a {@link ReconnectLoop} asks of its client. */
export interface ReconnectHooks {
  policy: ReconnectPolicy;
  /** One attempt: resolves once connected and set up again. */
  attempt(): Promise<void>;
  /** Whether reconnecting is still wanted (the client may have been closed meanwhile). */
  isWanted(): boolean;
  /** An attempt is scheduled. */
  onScheduled(attempt: number, delayMs: number): void;
  /** An attempt succeeded. */
  onSuccess(attempts: number): void;
  /** An attempt failed: `true` to try again, `false` to stop. */
  onFailure(error: unknown, attempt: number): boolean;
  /** `maxAttempts` ran out. */
  onExhausted(attempts: number): void;
}

/**
 * Runs reconnection attempts with {@link backoffDelay} between them. One loop at a time:
 * `start()` again (say, the new socket closed while an attempt was still registering) voids the
 * running loop, whose outcome is then ignored.
 */
export class ReconnectLoop {
  readonly #hooks: ReconnectHooks;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #generation = 0;

  constructor(hooks: ReconnectHooks) {
    this.#hooks = hooks;
  }

  /** Starts (or restarts) the loop from the first attempt. */
  start(): void {
    this.#schedule(0, ++this.#generation);
  }

  /** Stops the loop; an attempt under way is ignored when it ends. */
  stop(): void {
    this.#generation++;
    clearTimeout(this.#timer);
  }

  #schedule(attempt: number, generation: number): void {
    clearTimeout(this.#timer);
    const hooks = this.#hooks;
    if (generation !== this.#generation || !hooks.isWanted()) return;
    if (attempt >= hooks.policy.maxAttempts) {
      hooks.onExhausted(attempt);
      return;
    }
    const delayMs = backoffDelay(attempt, hooks.policy);
    hooks.onScheduled(attempt + 1, delayMs);
    this.#timer = setTimeout(() => {
      if (generation !== this.#generation || !hooks.isWanted()) return;
      hooks.attempt().then(
        () => {
          if (generation === this.#generation) hooks.onSuccess(attempt + 1);
        },
        (error: unknown) => {
          if (generation !== this.#generation || !hooks.isWanted()) return;
          if (hooks.onFailure(error, attempt + 1)) this.#schedule(attempt + 1, generation);
        },
      );
    }, delayMs);
  }
}
