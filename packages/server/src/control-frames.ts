/**
 * Control frames: the small JSON text frames a client may send after its handshake (`ping`,
 * `refresh_token`). Everything else a client says goes in binary frames, to the router.
 */
import type { Logger } from 'pino';
import type { ClientConnection } from './connection.js';
import type { TokenSigner } from './tokens.js';

/** What the control-frame handler needs. */
export interface ControlFrameContext {
  readonly tokens: TokenSigner;
  /** Lifetime of the reconnection tokens issued. */
  readonly tokenLifetimeS: number;
  /** Longest text frame read; longer ones are ignored. */
  readonly maxChars: number;
  readonly log: Logger;
}

/** Answers one text frame from `connection`. Never throws: bad frames are logged and ignored. */
export function handleControlFrame(connection: ClientConnection, text: string, context: ControlFrameContext): void {
  const { log } = context;
  // Control frames are tiny; anything long is not one (Hypha ignores text over 1000 characters too).
  if (text.length > context.maxChars) {
    log.warn({ client: connection.peerId, size: text.length }, 'ignored oversized text frame');
    return;
  }
  let message: { type?: unknown };
  try {
    message = JSON.parse(text) as { type?: unknown };
  } catch {
    log.warn({ client: connection.peerId }, 'ignored text frame that is not JSON');
    return;
  }
  if (message?.type === 'ping') connection.sendText({ type: 'pong' });
  else if (message?.type === 'refresh_token') {
    connection.sendText({
      type: 'reconnection_token',
      reconnection_token: context.tokens.sign(
        { client_id: connection.clientId, workspace: connection.workspace, user_id: connection.user.id },
        context.tokenLifetimeS,
      ),
    });
  } else log.warn({ client: connection.peerId }, 'ignored unknown control frame');
}
