/**
 * Draining from the SDK. `api.drain()` asks the hub to drain this client (the manager's `drain`):
 * its services take no new calls, the calls in flight to it finish (for at most the timeout),
 * then they leave the hub, and the promise resolves. The local services are forgotten too, so a
 * reconnection does not register them again. `drainOnSignal` (and `connectToServer`'s
 * `drainOnSigterm`) drains on SIGTERM, disconnects and exits: a worker under an orchestrator
 * that stops it with SIGTERM (Kubernetes, systemd, Docker) fails no call.
 */
import type { RpcPeer } from '@mycel/protocol';

/** How long a drain waits for the calls in flight when not told, in seconds (the hub's default). */
export const DEFAULT_DRAIN_TIMEOUT_S = 30;
/** How much longer than the drain's timeout the SDK waits for the hub's answer. */
const ANSWER_MARGIN_MS = 5_000;

/** Options of `api.drain()`. */
export interface DrainOptions {
  /**
   * Longest wait for the calls in flight, in seconds (hypha-rpc's unit); the services leave then
   * whatever is still running (the hub caps it at 600).
   * @default 30
   */
  timeout?: number;
}

/** What a drain did (the hub's answer). */
export interface DrainResult {
  /** `completed`: every call in flight finished; `timed_out`: the timeout came first. */
  outcome: 'completed' | 'timed_out';
  /** The full ids of the services that left. */
  services: string[];
  /** Calls still in flight when the services left (0 unless it timed out). */
  in_flight_left: number;
  /** How long the hub waited for the calls in flight, ms. */
  waited_ms: number;
}

/** Drains through the hub's manager, then forgets the local services (all but `built-in`). */
export async function drainThroughHub(
  peer: RpcPeer,
  callManager: (method: string, args: unknown[], timeoutMs?: number) => Promise<unknown>,
  options: DrainOptions,
): Promise<DrainResult> {
  const timeout = options.timeout ?? DEFAULT_DRAIN_TIMEOUT_S;
  if (typeof timeout !== 'number' || !Number.isFinite(timeout) || timeout < 0) {
    throw new TypeError('drain timeout must be a non-negative number of seconds');
  }
  const result = (await callManager('drain', [timeout], timeout * 1000 + ANSWER_MARGIN_MS)) as DrainResult;
  for (const service of peer.listServices()) if (service.id !== 'built-in') peer.removeService(service.id);
  return result;
}

/** What {@link drainOnSignal} drains: a client (`MycelClient`). */
export interface Drainable {
  drain(options?: DrainOptions): Promise<DrainResult>;
  disconnect(): Promise<void>;
}

/** Options of {@link drainOnSignal} (and of `connectToServer`'s `drainOnSigterm`). */
export interface DrainOnSignalOptions extends DrainOptions {
  /** The signals that start the drain. @default ["SIGTERM"] */
  signals?: readonly string[];
  /** Exit the process (code 0) once drained and disconnected. @default true */
  exit?: boolean;
  /** Told how the drain went (or why it failed), before the exit. */
  onDrained?: (result: DrainResult | Error) => void;
}

/** The part of Node's `process` this uses (the SDK also runs where there is none). */
interface SignalProcess {
  on(signal: string, listener: () => void): unknown;
  off(signal: string, listener: () => void): unknown;
  exit(code?: number): never;
}

/**
 * On SIGTERM (or `signals`): drains `client`, disconnects it and exits with code 0 (unless
 * `exit: false`). Returns a function that removes the handler. Needs Node.js.
 *
 * @example
 * const api = await connectToServer({ server_url, drainOnSigterm: true });
 * // or, for a client made earlier:
 * const stop = drainOnSignal(api, { timeout: 10 });
 */
export function drainOnSignal(client: Drainable, options: DrainOnSignalOptions = {}): () => void {
  const found = (globalThis as { process?: SignalProcess }).process;
  if (typeof found?.on !== 'function') throw new TypeError('drainOnSignal needs Node.js (process signals)');
  const proc: SignalProcess = found;
  const { signals = ['SIGTERM'], exit = true, onDrained, ...drainOptions } = options;
  const uninstall = (): void => {
    for (const signal of signals) proc.off(signal, handler);
  };
  function handler(): void {
    // A second signal while draining does nothing more (the handler is gone; Node's default
    // would kill the process, which the handler exists to avoid).
    uninstall();
    for (const signal of signals) proc.on(signal, ignore);
    void client
      .drain(drainOptions)
      .then(
        (result) => onDrained?.(result),
        (error: unknown) => onDrained?.(error instanceof Error ? error : new Error(String(error))),
      )
      .finally(async () => {
        await client.disconnect();
        if (exit) proc.exit(0);
      });
  }
  for (const signal of signals) proc.on(signal, handler);
  return uninstall;
}

function ignore(): void {}
