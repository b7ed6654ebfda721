/**
 * Draining: a worker leaves without failing a call. When a client asks to drain (the manager's
 * `drain`, which the SDK's `api.drain()` and its SIGTERM handler call), each of its service
 * instances takes no new calls from then on: balanced picks leave it out (`balanced-pick.ts`),
 * selections skip it (`manager/discovery.ts`), and a call that names it by its own address is
 * refused with `DRAINING` (the call did not run: the caller may send it elsewhere). The calls
 * already in flight to the client run to their end, for at most the drain's timeout; then its
 * services leave the registry (as `unregister_service` would) and the drain answers. The client
 * stays connected: it disconnects (or exits) when it wants to.
 */
import type { Logger } from 'pino';
import type { Registry, ServiceRecord } from '../registry.js';

/** How long a drain waits for the calls in flight when the client does not say. */
export const DEFAULT_DRAIN_TIMEOUT_MS = 30_000;
/** The longest a drain may wait, whatever the client says (10 minutes). */
export const MAX_DRAIN_TIMEOUT_MS = 600_000;

/** How a drain ended: every call in flight finished, or the timeout came first. */
export type DrainOutcome = 'completed' | 'timed_out';

/** What a drain answers (snake_case: every client reads it, hypha-rpc included). */
export interface DrainResult {
  outcome: DrainOutcome;
  /** The full ids of the services that left. */
  services: string[];
  /** Calls still in flight to the client when its services left (0 unless it timed out). */
  in_flight_left: number;
  /** How long the drain waited for the calls in flight, ms. */
  waited_ms: number;
}

/** Whether `record` is draining: it takes no new calls. */
export function isDraining(record: ServiceRecord): boolean {
  return record.state.draining;
}

/** The message of a call refused because the instance it names is draining. */
export function drainingMessage(instanceId: string): string {
  return `service instance "${instanceId}" is draining: it takes no new calls (get the service again, or use a balance: mode)`;
}

/**
 * The drain timeout in ms from what a client gave: seconds (a number, or `{timeout}`), clamped
 * to {@link MAX_DRAIN_TIMEOUT_MS}; {@link DEFAULT_DRAIN_TIMEOUT_MS} when absent or not a
 * non-negative number.
 */
export function drainTimeoutMs(given: unknown): number {
  const seconds = given !== null && typeof given === 'object' ? (given as { timeout?: unknown }).timeout : given;
  if (typeof seconds !== 'number' || !Number.isFinite(seconds) || seconds < 0) return DEFAULT_DRAIN_TIMEOUT_MS;
  return Math.min(seconds * 1000, MAX_DRAIN_TIMEOUT_MS);
}

/** What draining needs from the hub. */
export interface DrainsOptions<C> {
  registry: Registry;
  /** Resolves true once nothing is in flight to `connection`, false after `timeoutMs`. */
  whenIdle(connection: C, timeoutMs: number): Promise<boolean>;
  /** How many calls are in flight to `connection`. */
  inFlightTo(connection: C): number;
  /** Instances stopped taking calls, or left: waiting calls try again. */
  servicesChanged(): void;
  /** `record` left the registry at the end of a drain (tell the workspace). */
  removed(record: ServiceRecord): void;
  /** A drain ended (metrics). */
  drained?: ((outcome: DrainOutcome) => void) | undefined;
  logger: Logger;
}

/** The drains of a hub: which clients are draining, and the drain of each. */
export class Drains<C extends { readonly peerId: string }> {
  readonly #o: DrainsOptions<C>;
  readonly #running = new WeakMap<C, Promise<DrainResult>>();

  constructor(options: DrainsOptions<C>) {
    this.#o = options;
  }

  /** Whether `connection` asked to drain (it may register nothing more). */
  isDraining(connection: C): boolean {
    return this.#running.has(connection);
  }

  /**
   * Drains `connection`: its instances take no new calls, the calls in flight to it finish (for
   * at most `timeoutMs`), then its services leave. Asking again while it drains joins the drain
   * under way.
   */
  drain(connection: C, timeoutMs: number): Promise<DrainResult> {
    let running = this.#running.get(connection);
    if (!running) {
      running = this.#run(connection, timeoutMs);
      this.#running.set(connection, running);
    }
    return running;
  }

  async #run(connection: C, timeoutMs: number): Promise<DrainResult> {
    const { registry, logger } = this.#o;
    const records = registry.forPeer(connection.peerId).filter((record) => record.serviceId !== 'built-in');
    for (const record of records) {
      record.state.draining = true;
      registry.touch(record);
    }
    // Calls waiting for capacity on one of them are refused now, not sent to it.
    this.#o.servicesChanged();
    const inFlight = this.#o.inFlightTo(connection);
    logger.info({ client: connection.peerId, services: records.length, inFlight, timeoutMs }, 'client draining');
    const started = performance.now();
    const isIdle = await this.#o.whenIdle(connection, timeoutMs);
    const waitedMs = Math.round(performance.now() - started);
    const left: string[] = [];
    for (const record of records) {
      // It may have left meanwhile (unregistered, or its client gone).
      if (registry.get(record.id) !== record) continue;
      registry.unregister(record.id);
      left.push(record.id);
      this.#o.removed(record);
    }
    if (left.length > 0) this.#o.servicesChanged();
    const outcome: DrainOutcome = isIdle ? 'completed' : 'timed_out';
    const inFlightLeft = isIdle ? 0 : this.#o.inFlightTo(connection);
    this.#o.drained?.(outcome);
    logger.info({ client: connection.peerId, outcome, services: left.length, inFlightLeft, waitedMs }, 'client drained');
    return { outcome, services: left, in_flight_left: inFlightLeft, waited_ms: waitedMs };
  }
}
