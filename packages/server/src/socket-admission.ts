/**
 * A new socket's way in: the handshake frame within its deadline, the admission decision
 * (`handshake.ts`), superseding an older socket of the same client, the `connection_info` reply
 * and the per-client rate gate in front of every later frame. The result is a
 * {@link ClientConnection} in the hub's client table.
 */
import type { IncomingMessage } from 'node:http';
import type { Logger } from 'pino';
import type { RawData, WebSocket } from 'ws';
import type { ConnectionInfo, ErrorCode } from '@mycel/protocol';
import { ClientConnection, type TrafficCounter } from './connection.js';
import { admit, type Admission } from './handshake.js';
import type { ResolvedHubOptions } from './hub-options.js';
import type { QueuedBytes } from './queued-bytes.js';
import { RateGate, TokenBucket } from './rate-limit.js';
import type { TokenSigner } from './tokens.js';

/** Longest WebSocket close reason, in bytes (RFC 6455 section 5.5). */
const MAX_CLOSE_REASON_BYTES = 123;

/** What admission tells the hub's metrics. */
export interface AdmissionObserver {
  /** A client was admitted. */
  admitted(): void;
  /** A socket was refused at its handshake. */
  refused(): void;
  /** A client went over its message rate: its reads were paused, or it was dropped. */
  rateLimited(action: 'paused' | 'dropped'): void;
}

/** What admission needs from the hub. */
export interface AdmissionContext {
  readonly options: ResolvedHubOptions;
  readonly clients: Map<string, ClientConnection>;
  readonly tokens: TokenSigner;
  /** The hub's public URL, reported in `connection_info`. */
  readonly url: string;
  /** The manager's client id (without the `*` workspace), reported in `connection_info`. */
  readonly managerClientId: string;
  /** The version reported in `connection_info.hypha_version`. */
  readonly hubVersion: string;
  readonly log: Logger;
  /** The hub-wide account of bytes queued for clients. */
  readonly queuedBytes: QueuedBytes<ClientConnection>;
  /** Told of admissions, refusals and rate limiting, when metrics are on. */
  readonly observer?: AdmissionObserver | undefined;
  /** Counts the frames written to admitted clients, when metrics are on. */
  readonly traffic?: TrafficCounter | undefined;
  /** Handles one admitted frame of an admitted client. */
  onFrame(connection: ClientConnection, data: RawData, isBinary: boolean): void;
  /** Called once when an admitted client's socket closed. */
  onClose(connection: ClientConnection, code: number): void;
  /** Called when a newer connection with the same client id took `old`'s place, before it speaks. */
  onSuperseded(old: ClientConnection): void;
}

/** Takes a freshly opened socket through its handshake. Never throws. */
export function admitSocket(socket: WebSocket, request: IncomingMessage, context: AdmissionContext): void {
  const { options } = context;
  // Every line about this socket names where it comes from, so an operator can find the process.
  const log = context.log.child({ remote: remoteAddress(request) });
  if (request.url && request.url.includes('?')) {
    context.observer?.refused();
    refuseSocket(socket, 'query-string authentication is not supported: send the connection request as the first message', log);
    return;
  }
  const timeoutMs = options.handshakeTimeoutMs;
  const timer = setTimeout(() => {
    context.observer?.refused();
    refuseSocket(socket, `no connection request within ${timeoutMs}ms`, log);
  }, timeoutMs);
  timer.unref();
  socket.once('close', () => clearTimeout(timer));
  socket.once('message', (data: RawData, isBinary: boolean) => {
    clearTimeout(timer);
    const result = admit(isBinary ? data : data.toString('utf8'), isBinary, context.tokens, options.maxHandshakeChars);
    if (!result.ok) {
      context.observer?.refused();
      refuseSocket(socket, result.reason, log);
      return;
    }
    startSession(socket, result.admission, { ...context, log });
  });
}

/** `address:port` of the peer (`[v6]:port` for IPv6); `unknown` once the socket is gone. */
function remoteAddress(request: IncomingMessage): string {
  const { remoteAddress: address, remotePort: port } = request.socket;
  if (!address) return 'unknown';
  return `${address.includes(':') ? `[${address}]` : address}:${port ?? '?'}`;
}

function startSession(
  socket: WebSocket,
  admission: Admission,
  context: AdmissionContext,
): void {
  const { options, clients, log } = context;
  const { workspace, clientId, user, isReconnection } = admission;
  const peerId = `${workspace}/${clientId}`;
  const existing = clients.get(peerId);
  if (existing && !isReconnection) {
    // Hypha's wording first (clients may match on it), then what to do about it.
    const reason =
      `client already exists and is active: ${peerId} (another live connection uses client id "${clientId}"; ` +
      `choose another client_id, leave it out for a random one, or come back with that connection's reconnection_token)`;
    context.observer?.refused();
    refuseSocket(socket, reason, log, 'CLIENT_ID_IN_USE');
    return;
  }
  const drop = (reason: string): void => {
    log.warn({ client: peerId, reason }, 'dropping client');
    socket.terminate();
  };
  const connection = new ClientConnection(socket, workspace, clientId, user, options.maxBufferedBytes, drop, context.queuedBytes, context.traffic);
  connection.log = log;
  clients.set(peerId, connection);
  context.observer?.admitted();
  if (existing) {
    // A reconnection supersedes the old socket; its clean-up must not touch the new registrations.
    existing.sendText({ type: 'error', message: 'superseded by a newer connection with the same client id' });
    existing.socket.close(1008, 'superseded');
    context.onSuperseded(existing);
  }
  const lifetimeS = options.reconnectionTokenLifetimeS;
  const info: ConnectionInfo = {
    type: 'connection_info',
    hypha_version: context.hubVersion,
    public_base_url: context.url,
    local_base_url: context.url,
    manager_id: context.managerClientId,
    workspace,
    client_id: clientId,
    user,
    reconnection_token: context.tokens.sign({ client_id: clientId, workspace, user_id: user.id }, lifetimeS),
    reconnection_token_life_time: lifetimeS,
  };
  connection.sendText(info);
  log.info({ client: peerId, reconnection: isReconnection }, 'client connected');
  connection.rate = new TokenBucket(options.maxMessagesPerSecond, options.messageBurst);
  const gate = new RateGate<[RawData, boolean]>({
    bucket: connection.rate,
    maxQueued: options.maxQueuedMessages,
    deliver: ([frame, binary]) => context.onFrame(connection, frame, binary),
    pause: () => {
      log.warn({ client: peerId }, 'client over its message rate: pausing reads');
      context.observer?.rateLimited('paused');
      socket.pause();
    },
    resume: () => socket.resume(),
    overflow: (queued) => {
      log.warn({ client: peerId, queued }, 'dropping client: message queue over its limit');
      context.observer?.rateLimited('dropped');
      socket.terminate();
    },
  });
  socket.on('message', (frame: RawData, binary: boolean) => gate.push([frame, binary]));
  socket.once('close', () => gate.close());
  socket.once('close', (code) => context.onClose(connection, code));
}

/**
 * Sends an `error` frame naming `reason` (and a Mycel error `code` when there is one; hypha-rpc
 * ignores it) and closes the socket with 1008.
 */
export function refuseSocket(socket: WebSocket, reason: string, log: Logger, code?: ErrorCode): void {
  log.warn({ reason }, 'connection refused');
  if (socket.readyState === socket.OPEN) {
    socket.send(JSON.stringify(code ? { type: 'error', message: reason, code } : { type: 'error', message: reason }));
    socket.close(1008, closeReason(reason));
  }
}

/**
 * A close reason fits in 123 bytes of UTF-8 (RFC 6455 section 5.5) and `ws` throws past that, so
 * a reason quoting client input (a non-ASCII client id) is cut at a character boundary.
 */
function closeReason(reason: string): string {
  const bytes = Buffer.from(reason, 'utf8');
  if (bytes.length <= MAX_CLOSE_REASON_BYTES) return reason;
  let end = MAX_CLOSE_REASON_BYTES;
  // Back up over continuation bytes (10xxxxxx) so no character is split.
  while (end > 0 && ((bytes[end] ?? 0) & 0xc0) === 0x80) end--;
  return bytes.subarray(0, end).toString('utf8');
}
