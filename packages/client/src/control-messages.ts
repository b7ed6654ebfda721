/**
 * The hub's text (control) frames as the client sees them after the handshake: a fresh
 * reconnection token, or an `error` before the hub closes the socket; and the timer that asks
 * for a fresh token before the current one expires.
 */
import type { ConnectionInfo } from '@mycel/protocol';
import { TOKEN_REFRESH_INTERVAL_MS, type ClientLogger } from './options.js';
import type { Transport } from './transport.js';

/** What a control frame says. */
export type ControlMessage =
  | { kind: 'token'; token: string }
  | { kind: 'error'; reason: string }
  | { kind: 'other' };

/** Reads one text frame from the hub. Never throws: a frame that is not JSON is logged and ignored. */
export function readControlMessage(text: string, log: ClientLogger): ControlMessage {
  let control: { type?: unknown; reconnection_token?: unknown; message?: unknown };
  try {
    control = JSON.parse(text) as typeof control;
  } catch {
    log.warn?.({}, 'ignored text frame that is not JSON');
    return { kind: 'other' };
  }
  if (control?.type === 'reconnection_token' && typeof control.reconnection_token === 'string') {
    return { kind: 'token', token: control.reconnection_token };
  }
  if (control?.type === 'error') return { kind: 'error', reason: String(control.message ?? 'refused by the hub') };
  return { kind: 'other' };
}

/**
 * Asks the hub for a fresh reconnection token on `transport` while `isCurrent()` holds: every
 * two-thirds of the token's life (hub tokens live `reconnection_token_life_time` seconds), at
 * most every {@link TOKEN_REFRESH_INTERVAL_MS}. The timer does not hold the process.
 */
export function startTokenRefresh(
  transport: Transport,
  info: ConnectionInfo,
  isCurrent: () => boolean,
  log: ClientLogger,
): ReturnType<typeof setInterval> {
  const everyMs = Math.min(TOKEN_REFRESH_INTERVAL_MS, (info.reconnection_token_life_time * 1000) / 1.5);
  const timer = setInterval(() => {
    try {
      if (isCurrent()) transport.send(JSON.stringify({ type: 'refresh_token' }));
    } catch (error) {
      log.debug?.({ err: String(error) }, 'token refresh not sent');
    }
  }, Math.max(everyMs, 1000));
  timer.unref?.();
  return timer;
}
