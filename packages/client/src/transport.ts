/**
 * The transport seam. Session logic talks to a {@link Transport} (send, onMessage, onClose,
 * close), so tests can use an in-memory pair; {@link openWebSocketTransport} is the real one:
 * it opens a WebSocket, does Hypha's handshake, and hands over a transport that is ready.
 */
import { connectionInfoSchema, isErrorCode, MycelError, type ConnectionInfo } from '@mycel/protocol';
import { connectError } from './connect-errors.js';

/** A frame: binary RPC traffic, or a text control message. */
export type TransportMessage = Uint8Array | string;

/** What the session layer needs from a connection. */
export interface Transport {
  /** Writes a binary frame (RPC) or a text frame (control). Throws when closed. */
  send(message: TransportMessage): void;
  /** Sets the handler of incoming frames. */
  onMessage(handler: (message: TransportMessage) => void): void;
  /** Sets the handler called once when the transport closes, for any reason. */
  onClose(handler: (code: number, reason: string) => void): void;
  /** Closes the transport. */
  close(code?: number, reason?: string): void;
}

/**
 * Opens a transport to the hub and completes the handshake: how a client gets each of its
 * connections (the first and every reconnection). The default opens a WebSocket
 * ({@link openWebSocketTransport}); tests give an in-memory one.
 */
export type OpenTransport = (request: ConnectionRequest) => Promise<{ transport: Transport; info: ConnectionInfo }>;

/** The part of the WHATWG WebSocket API the SDK uses (`ws` and browsers both provide it). */
export interface WebSocketLike {
  readonly readyState: number;
  binaryType: string;
  send(data: string | Uint8Array): void;
  close(code?: number, reason?: string): void;
  onopen: ((event: unknown) => void) | null;
  onmessage: ((event: { data: unknown }) => void) | null;
  onclose: ((event: { code: number; reason: string }) => void) | null;
  onerror: ((event: unknown) => void) | null;
}

/** A WebSocket class. */
export type WebSocketConstructor = new (url: string) => WebSocketLike;

/** The handshake request (first frame). */
export interface ConnectionRequest {
  client_id: string;
  workspace?: string | undefined;
  token?: string | undefined;
  reconnection_token?: string | undefined;
}

/** Options of {@link openWebSocketTransport}. */
export interface OpenOptions {
  /** WebSocket implementation. @default globalThis.WebSocket, else the `ws` package */
  WebSocket?: WebSocketConstructor | undefined;
  /** Time allowed for the socket to open and the hub to answer the handshake. */
  timeoutMs: number;
}

const OPEN = 1;

/**
 * Turns `http(s)://host[/path]` into `ws(s)://host[/path]/ws`, as hypha-rpc does. Throws a
 * `TypeError` for a URL without one of the schemes `http`, `https`, `ws`, `wss`.
 */
export function normaliseServerUrl(serverUrl: string): string {
  let url = serverUrl.trim();
  if (!/^(?:https?|wss?):\/\/[^/]/i.test(url)) {
    throw new TypeError(
      `server_url "${serverUrl}" needs a scheme: write http://${url.replace(/^[a-z]+:\/*/i, '') || '127.0.0.1:9527'} (or https://, ws://, wss://)`,
    );
  }
  if (url.startsWith('http://')) url = `ws://${url.slice('http://'.length)}`;
  else if (url.startsWith('https://')) url = `wss://${url.slice('https://'.length)}`;
  if (url.endsWith('/')) url = url.slice(0, -1);
  if (!url.endsWith('/ws')) url = `${url}/ws`;
  return url;
}

/**
 * Opens a socket to `url`, sends the connection request and waits for `connection_info`.
 * Rejects with `CONNECTION_CLOSED` when the hub refuses (its `error` message is kept) or the
 * socket closes, and with `TIMEOUT` when nothing comes in time.
 */
export async function openWebSocketTransport(
  url: string,
  request: ConnectionRequest,
  options: OpenOptions,
): Promise<{ transport: Transport; info: ConnectionInfo }> {
  const Impl = options.WebSocket ?? (await defaultWebSocket());
  const socket = new Impl(url);
  // `ws` hands Node Buffers over without a copy; browsers only know 'arraybuffer' (and ignore
  // values they do not know).
  socket.binaryType = 'nodebuffer';
  if (socket.binaryType !== 'nodebuffer') socket.binaryType = 'arraybuffer';
  return new Promise((resolve, reject) => {
    let settled = false;
    const fail = (error: MycelError) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.onopen = socket.onmessage = socket.onerror = null;
      socket.onclose = null;
      try {
        socket.close();
      } catch {
        // already closed
      }
      reject(error);
    };
    const timer = setTimeout(
      () => fail(new MycelError('TIMEOUT', `no answer from "${url}" within ${options.timeoutMs}ms`)),
      options.timeoutMs,
    );
    socket.onerror = (event) => {
      // An error before open has no close event in some runtimes: report it here, with its cause.
      if (socket.readyState !== OPEN) fail(connectError(url, event));
    };
    socket.onclose = (event) => {
      fail(new MycelError('CONNECTION_CLOSED', `connection to "${url}" closed during the handshake (code ${event.code}${event.reason ? `: ${event.reason}` : ''})`));
    };
    socket.onopen = () => {
      const body: Record<string, string> = { client_id: request.client_id };
      if (request.workspace) body.workspace = request.workspace;
      if (request.token) body.token = request.token;
      if (request.reconnection_token) body.reconnection_token = request.reconnection_token;
      socket.send(JSON.stringify(body));
    };
    socket.onmessage = (event) => {
      // Binary frames before connection_info are not ours to read (as hypha-rpc): skip them.
      if (typeof event.data !== 'string') return;
      let message: unknown;
      try {
        message = JSON.parse(event.data);
      } catch {
        fail(new MycelError('BAD_MESSAGE', 'the hub sent a handshake answer that is not JSON'));
        return;
      }
      const type = (message as { type?: unknown } | null)?.type;
      if (type === 'error') {
        const { message: reason = 'refused', code } = message as { message?: unknown; code?: unknown };
        // A Mycel hub says why with a code (CLIENT_ID_IN_USE, ...); other hubs send only the text.
        fail(
          new MycelError(isErrorCode(code) ? code : 'CONNECTION_CLOSED', `the hub refused the connection: ${String(reason)}`, {
            data: { refused: true },
          }),
        );
        return;
      }
      const parsed = connectionInfoSchema.safeParse(message);
      if (!parsed.success) {
        fail(new MycelError('BAD_MESSAGE', `unexpected handshake answer from the hub (type ${JSON.stringify(type)})`));
        return;
      }
      settled = true;
      clearTimeout(timer);
      resolve({ transport: wrap(socket), info: parsed.data });
    };
  });
}

function wrap(socket: WebSocketLike): Transport {
  let onMessage: (message: TransportMessage) => void = () => {};
  let onClose: (code: number, reason: string) => void = () => {};
  let closed = false;
  // Write coalescing (with the `ws` package; browsers have no handle on the socket): the first
  // frame of a callback goes out at once, later ones are held (`cork`) and leave together when
  // the callback and its promise jobs are done. A lone frame is never delayed.
  const raw = (socket as unknown as { _socket?: { cork(): void; uncork(): void } })._socket;
  const later = (globalThis as { process?: { nextTick?: (fn: () => void) => void } }).process?.nextTick;
  let inBurst = false;
  let isCorked = false;
  const coalesce = () => {
    if (!raw || !later) return;
    if (!inBurst) {
      inBurst = true;
      later(() => {
        inBurst = false;
        if (isCorked) {
          isCorked = false;
          raw.uncork();
        }
      });
    } else if (!isCorked) {
      raw.cork();
      isCorked = true;
    }
  };
  socket.onmessage = (event) => {
    const data = event.data;
    if (typeof data === 'string') onMessage(data);
    else if (data instanceof ArrayBuffer) onMessage(new Uint8Array(data));
    else if (data instanceof Uint8Array) onMessage(data);
  };
  socket.onclose = (event) => {
    if (closed) return;
    closed = true;
    onClose(event.code, event.reason);
  };
  socket.onerror = () => {
    // Errors are followed by a close event; that is where the transport reports.
  };
  return {
    send(message) {
      if (closed || socket.readyState !== OPEN) throw new MycelError('CONNECTION_CLOSED', 'connection is closed');
      coalesce();
      socket.send(message);
    },
    onMessage(handler) {
      onMessage = handler;
    },
    onClose(handler) {
      onClose = handler;
    },
    close(code = 1000, reason = 'client closed') {
      try {
        socket.close(code, reason);
      } catch {
        // closing an already-closed socket is fine
      }
    },
  };
}

async function defaultWebSocket(): Promise<WebSocketConstructor> {
  const global = (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
  if (global) return global;
  const ws = await import('ws');
  return ws.WebSocket as unknown as WebSocketConstructor;
}
