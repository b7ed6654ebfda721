/**
 * Liveness: a WebSocket ping to every socket each interval; a socket that sent no pong (and no
 * frame) since the last ping is terminated, so a peer that vanished without a close is found
 * within two intervals.
 */
import type { Logger } from 'pino';
import type { WebSocket, WebSocketServer } from 'ws';

/** The liveness check of one hub. */
export interface Liveness {
  /** Records a sign of life from `socket` (a pong, or any frame it sent). */
  markAlive(socket: WebSocket): void;
  /** Stops pinging. */
  stop(): void;
}

/** Starts pinging every socket of `wss` each `intervalMs`. The timer does not hold the process. */
export function startLiveness(wss: WebSocketServer, intervalMs: number, log: Logger): Liveness {
  const alive = new WeakSet<WebSocket>();
  const pinger = setInterval(() => {
    for (const socket of wss.clients) {
      if (!alive.has(socket)) {
        log.warn({ reason: 'missed pong' }, 'terminating unresponsive socket');
        socket.terminate();
        continue;
      }
      alive.delete(socket);
      socket.ping();
    }
  }, intervalMs);
  pinger.unref();
  return {
    markAlive: (socket) => alive.add(socket),
    stop: () => clearInterval(pinger),
  };
}
