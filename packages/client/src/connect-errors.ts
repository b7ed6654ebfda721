/**
 * Why a connection to the hub failed, in words: the first thing a newcomer meets when the hub is
 * not running, the URL has the wrong scheme or path, or the hub is elsewhere. Each error keeps
 * the runtime's own error as `cause`; `data.isPermanent` marks failures that waiting cannot fix
 * (so the first connect does not retry them, see `waitForHubMs`).
 */
import { MycelError } from '@mycel/protocol';

/** What `WebSocket#onerror` gives: `ws` adds the system error; browsers give nothing. */
interface ErrorEventLike {
  error?: unknown;
  message?: unknown;
}

/** The error for a socket that failed before it opened. */
export function connectError(url: string, event: unknown): MycelError {
  const { error, message } = (event ?? {}) as ErrorEventLike;
  const cause = error instanceof Error ? error : undefined;
  const code = (cause as { code?: unknown } | undefined)?.code;
  const text = String(cause?.message ?? message ?? '');
  const { host } = safeUrl(url);
  const permanent = (reason: string) =>
    new MycelError('CONNECTION_CLOSED', `cannot connect to "${url}": ${reason}`, { cause, data: { isPermanent: true } });
  if (code === 'ECONNREFUSED') {
    return new MycelError(
      'CONNECTION_CLOSED',
      `cannot connect to "${url}": nothing listens on ${host} (connection refused); is the hub running? (npx mycel-hub)`,
      { cause },
    );
  }
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') {
    return new MycelError('CONNECTION_CLOSED', `cannot connect to "${url}": host "${host}" not found`, { cause });
  }
  if (code === 'EPROTO' || /wrong version number|SSL|TLS/i.test(text)) {
    return permanent(
      `the TLS handshake failed; a hub started with npx mycel-hub speaks plain HTTP: use http:// (or ws://), not https:// (or wss://)`,
    );
  }
  const status = /Unexpected server response: (\d+)/.exec(text)?.[1];
  if (status !== undefined) {
    return permanent(
      `the server answered HTTP ${status} instead of a WebSocket upgrade; is the path right? ` +
        `Give the hub's base URL (http://host:port); the SDK adds the hub's WebSocket path /ws`,
    );
  }
  return new MycelError('CONNECTION_CLOSED', `cannot connect to "${url}"${text ? `: ${text}` : ''}`, { cause });
}

/** Whether the first connect may try again after `error` (see `waitForHubMs`). */
export function isWorthWaitingFor(error: unknown): boolean {
  if (!(error instanceof MycelError)) return false;
  const data = error.data as { isPermanent?: boolean; refused?: boolean } | undefined;
  return (error.code === 'CONNECTION_CLOSED' || error.code === 'TIMEOUT') && !data?.isPermanent && !data?.refused;
}

function safeUrl(url: string): { host: string } {
  try {
    return { host: new URL(url).host };
  } catch {
    return { host: url };
  }
}
