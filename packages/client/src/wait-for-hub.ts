/**
 * The first connection, optionally waiting for a hub that is not up yet (`waitForHubMs`): a
 * worker started a moment before its hub connects when the hub comes, instead of dying at once.
 */
import { isWorthWaitingFor } from './connect-errors.js';
import type { ClientLogger } from './options.js';
import { backoffDelay, type ReconnectPolicy } from './reconnect.js';

/**
 * Runs `attempt` until it succeeds, an error is not worth waiting for, or `waitMs` is spent; the
 * delays follow the reconnection backoff. Rejects with the last error.
 */
export async function connectWaitingForHub(
  attempt: () => Promise<void>,
  waitMs: number,
  policy: ReconnectPolicy,
  log: ClientLogger,
): Promise<void> {
  const deadline = Date.now() + waitMs;
  for (let tries = 0; ; tries++) {
    try {
      await attempt();
      return;
    } catch (error) {
      const delayMs = backoffDelay(tries, policy);
      if (!isWorthWaitingFor(error) || Date.now() + delayMs > deadline) throw error;
      log.info?.({ attempt: tries + 1, delayMs, err: String(error) }, 'hub not reachable yet; trying again');
      await new Promise((resolve) => setTimeout(resolve, delayMs));
    }
  }
}
