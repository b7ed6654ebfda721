/**
 * The hub: an HTTP server with a WebSocket endpoint at `/ws`, the handshake, liveness pings, and
 * the wiring of router, registry and manager. Only this file (with `connection.ts`) does I/O.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import pino, { type Logger } from 'pino';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import {
  API_VERSION,
  DEFAULT_HANDSHAKE_TIMEOUT_MS,
  DEFAULT_LIMITS,
  DEFAULT_METHOD_TIMEOUT_MS,
  DEFAULT_RECONNECTION_TOKEN_LIFETIME_S,
  systemClock,
  type ConnectionInfo,
} from '@mycel/protocol';
import { ClientConnection } from './connection.js';
import { admit } from './handshake.js';
import { createManager, type Manager } from './manager.js';
import { Registry } from './registry.js';
import { Router } from './router.js';
import { RateGate, TokenBucket } from './rate-limit.js';
import { TokenSigner } from './tokens.js';

/** Longest WebSocket close reason, in bytes (RFC 6455 section 5.5). */
const MAX_CLOSE_REASON_BYTES = 123;

/**
 * Messages of one over-rate client that may wait for their turn; reads are paused meanwhile, so
 * only what was already in flight lands here. Past it the client is dropped.
 */
const MAX_QUEUED_MESSAGES = 10_000;

const DEFAULT_MAX_IN_FLIGHT_PER_CLIENT = 10_000;
const DEFAULT_MAX_IN_FLIGHT_PER_CALLER = 1_000;

/** The version reported to clients in `connection_info.hypha_version`. */
export const HUB_VERSION = '0.1.0';

/** Options of {@link startHub}. Every limit has a documented default. */
export interface HubOptions {
  /** Interface to listen on. @default "127.0.0.1" */
  host?: string;
  /** Port to listen on; 0 picks a free one. @default 9527 */
  port?: number;
  /** pino logger. @default pino() at level "info" */
  logger?: Logger;
  /**
   * Hub id, part of the manager id `manager-{hubId}`. Keep it stable across restarts: hypha-rpc
   * clients do not follow a manager id that changes under them. @default "mycel"
   */
  hubId?: string;
  /** Time allowed for the first (handshake) frame. @default 5000 */
  handshakeTimeoutMs?: number;
  /**
   * Longest call the manager makes on a client's behalf (service fetch, ping): timeouts a caller
   * asks for are clamped to it. @default 30000
   */
  methodTimeoutMs?: number;
  /** Largest frame accepted; larger ones close the socket with 1009. @default 16 MiB */
  maxPayloadBytes?: number;
  /** Most services one client may register. @default 1000 */
  maxServicesPerClient?: number;
  /** Most unanswered calls routed to one client at once. @default 10000 */
  maxInFlightPerClient?: number;
  /** Most unanswered calls one caller may have routed to one client. @default 1000 */
  maxInFlightPerCaller?: number;
  /** Most bytes queued for a client that does not read; past it the client is dropped. @default 64 MiB */
  maxBufferedBytes?: number;
  /** Messages per second one client may send on average; past it the hub stops reading it for a while. @default 20000 */
  maxMessagesPerSecond?: number;
  /** Messages one client may send in a burst above its rate. @default 40000 */
  messageBurst?: number;
  /** Interval of WebSocket pings; a client that missed one pong is terminated. @default 10000 */
  pingIntervalMs?: number;
  /** Secret of reconnection tokens. @default random per hub (tokens die with the hub) */
  tokenSecret?: string;
  /** Lifetime of reconnection tokens in seconds. @default 172800 */
  reconnectionTokenLifetimeS?: number;
}

/** A running hub. */
export interface Hub {
  /** `http://host:port` (clients add `/ws`). */
  readonly url: string;
  readonly host: string;
  readonly port: number;
  readonly hubId: string;
  /** The manager address, `"*"` + `/manager-{hubId}`. */
  readonly managerId: string;
  readonly registry: Registry;
  /** Connected clients by `workspace/client_id`. */
  readonly clients: ReadonlyMap<string, ClientConnection>;
  /** Stops accepting, closes every client with 1001, and resolves when all is closed. */
  close(): Promise<void>;
}

/**
 * Starts a hub and resolves once it listens.
 *
 * @example
 * const hub = await startHub({ port: 0 });
 * console.log(hub.url); // http://127.0.0.1:40123
 * await hub.close();
 */
export async function startHub(options: HubOptions = {}): Promise<Hub> {
  const host = options.host ?? '127.0.0.1';
  const log = options.logger ?? pino({ level: 'info' });
  const hubId = options.hubId ?? 'mycel';
  const handshakeTimeoutMs = options.handshakeTimeoutMs ?? DEFAULT_HANDSHAKE_TIMEOUT_MS;
  const maxBufferedBytes = options.maxBufferedBytes ?? 64 * 1024 * 1024;
  const pingIntervalMs = options.pingIntervalMs ?? 10_000;
  const tokenLifetimeS = options.reconnectionTokenLifetimeS ?? DEFAULT_RECONNECTION_TOKEN_LIFETIME_S;
  const tokens = new TokenSigner(options.tokenSecret);
  const ratePerSecond = options.maxMessagesPerSecond ?? 20_000;
  const burst = options.messageBurst ?? 2 * ratePerSecond;
  const clients = new Map<string, ClientConnection>();
  const registry = new Registry();
  const router = new Router({
    clients,
    logger: log,
    inFlight: {
      perCallee: options.maxInFlightPerClient ?? DEFAULT_MAX_IN_FLIGHT_PER_CLIENT,
      perCaller: options.maxInFlightPerCaller ?? DEFAULT_MAX_IN_FLIGHT_PER_CALLER,
      // Only under pressure, and only the slot: the call itself still gets its answer.
      staleAfterMs: 2 * (options.methodTimeoutMs ?? DEFAULT_METHOD_TIMEOUT_MS),
    },
  });

  const http = createServer(handleHttp);
  const wss = new WebSocketServer({
    server: http,
    path: '/ws',
    maxPayload: options.maxPayloadBytes ?? DEFAULT_LIMITS.maxPayloadBytes,
    perMessageDeflate: false,
  });
  await listen(http, options.port ?? 9527, host);
  const port = (http.address() as AddressInfo).port;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;

  const manager: Manager = createManager({
    hubId,
    registry,
    router,
    clients,
    logger: log,
    clock: systemClock,
    maxServicesPerClient: options.maxServicesPerClient ?? 1000,
    methodTimeoutMs: options.methodTimeoutMs ?? DEFAULT_METHOD_TIMEOUT_MS,
    serverInfo: { hub_id: hubId, api_version: API_VERSION, public_base_url: url, hypha_version: HUB_VERSION },
  });
  router.attachManager({
    peerId: manager.peerId,
    user: manager.user,
    handleMessage: (message) => manager.peer.handleMessage(message),
  });

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
  }, pingIntervalMs);
  pinger.unref();

  let isClosing = false;
  wss.on('connection', (socket, request) => {
    if (isClosing) {
      socket.terminate();
      return;
    }
    alive.add(socket);
    socket.on('pong', () => alive.add(socket));
    socket.on('error', (error) => log.warn({ err: error.message }, 'socket error'));
    onSocket(socket, request);
  });

  function onSocket(socket: WebSocket, request: IncomingMessage): void {
    if (request.url && request.url.includes('?')) {
      refuse(socket, 'query-string authentication is not supported: send the connection request as the first message');
      return;
    }
    const timer = setTimeout(() => refuse(socket, `no connection request within ${handshakeTimeoutMs}ms`), handshakeTimeoutMs);
    timer.unref();
    socket.once('close', () => clearTimeout(timer));
    socket.once('message', (data: RawData, isBinary: boolean) => {
      clearTimeout(timer);
      const result = admit(isBinary ? data : data.toString('utf8'), isBinary, tokens);
      if (!result.ok) {
        refuse(socket, result.reason);
        return;
      }
      const { workspace, clientId, user, isReconnection } = result.admission;
      const peerId = `${workspace}/${clientId}`;
      const existing = clients.get(peerId);
      if (existing && !isReconnection) {
        refuse(socket, `client already exists and is active: ${peerId}`);
        return;
      }
      const connection = new ClientConnection(socket, workspace, clientId, user, maxBufferedBytes, (reason) => {
        log.warn({ client: peerId, reason }, 'dropping client');
        socket.terminate();
      });
      clients.set(peerId, connection);
      if (existing) {
        // A reconnection supersedes the old socket; its clean-up must not touch the new registrations.
        existing.sendText({ type: 'error', message: 'superseded by a newer connection with the same client id' });
        existing.socket.close(1008, 'superseded');
      }
      const info: ConnectionInfo = {
        type: 'connection_info',
        hypha_version: HUB_VERSION,
        public_base_url: url,
        local_base_url: url,
        manager_id: manager.peerId.slice(2),
        workspace,
        client_id: clientId,
        user,
        reconnection_token: tokens.sign({ client_id: clientId, workspace, user_id: user.id }, tokenLifetimeS),
        reconnection_token_life_time: tokenLifetimeS,
        announcement: null,
      };
      connection.sendText(info);
      log.info({ client: peerId, reconnection: isReconnection }, 'client connected');
      const gate = new RateGate<[RawData, boolean]>({
        bucket: new TokenBucket(ratePerSecond, burst),
        maxQueued: MAX_QUEUED_MESSAGES,
        deliver: ([frame, binary]) => onFrame(connection, frame, binary),
        pause: () => {
          log.warn({ client: peerId }, 'client over its message rate: pausing reads');
          socket.pause();
        },
        resume: () => socket.resume(),
        overflow: (queued) => {
          log.warn({ client: peerId, queued }, 'dropping client: message queue over its limit');
          socket.terminate();
        },
      });
      socket.on('message', (frame: RawData, binary: boolean) => gate.push([frame, binary]));
      socket.once('close', () => gate.close());
      socket.once('close', (code) => onClose(connection, code));
    });
  }

  function onFrame(connection: ClientConnection, data: RawData, isBinary: boolean): void {
    alive.add(connection.socket);
    if (isBinary) {
      router.routeFromClient(connection, toBytes(data));
      return;
    }
    const text = data.toString();
    // Control frames are tiny; anything long is not one (Hypha ignores text over 1000 characters too).
    if (text.length > 1000) {
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
        reconnection_token: tokens.sign(
          { client_id: connection.clientId, workspace: connection.workspace, user_id: connection.user.id },
          tokenLifetimeS,
        ),
      });
    } else log.warn({ client: connection.peerId }, 'ignored unknown control frame');
  }

  function onClose(connection: ClientConnection, code: number): void {
    connection.markClosed();
    const rejected = router.rejectInFlight(connection, `peer "${connection.peerId}" disconnected`);
    if (clients.get(connection.peerId) !== connection) {
      log.info({ client: connection.peerId, code, rejected }, 'superseded socket closed');
      return;
    }
    clients.delete(connection.peerId);
    router.forgetCaller(connection.peerId);
    manager.removeClient(connection);
    log.info({ client: connection.peerId, code, rejected }, 'client disconnected');
  }

  function refuse(socket: WebSocket, reason: string): void {
    log.warn({ reason }, 'connection refused');
    if (socket.readyState === socket.OPEN) {
      socket.send(JSON.stringify({ type: 'error', message: reason }));
      socket.close(1008, closeReason(reason));
    }
  }

  function handleHttp(req: IncomingMessage, res: ServerResponse): void {
    if (req.url === '/health' || req.url === '/health/liveness' || req.url === '/health/readiness') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ status: 'OK', clients: clients.size, services: registry.size }));
      return;
    }
    res.writeHead(404, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ error: 'not found' }));
  }

  log.info({ host, port, hubId, url }, 'hub listening');

  let closing: Promise<void> | undefined;
  return {
    url,
    host,
    port,
    hubId,
    managerId: manager.peerId,
    registry,
    clients,
    close() {
      closing ??= shutdown();
      return closing;
    },
  };

  async function shutdown(): Promise<void> {
    isClosing = true;
    clearInterval(pinger);
    // Stop listening first; sockets that still arrive are terminated on sight.
    const httpClosed = new Promise<void>((resolve) => http.close(() => resolve()));
    manager.peer.close();
    const sockets = [...wss.clients];
    const closed = sockets.map(
      (socket) =>
        new Promise<void>((resolve) => {
          if (socket.readyState === socket.CLOSED) resolve();
          else socket.once('close', () => resolve());
        }),
    );
    for (const socket of sockets) socket.close(1001, 'hub shutting down');
    // Peers that do not finish the close handshake are cut off.
    const force = setTimeout(() => {
      for (const socket of wss.clients) socket.terminate();
    }, 2_000);
    force.unref();
    await Promise.all(closed);
    clearTimeout(force);
    await new Promise<void>((resolve) => wss.close(() => resolve()));
    await httpClosed;
    log.info({ hubId }, 'hub closed');
  }
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
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

function toBytes(data: RawData): Uint8Array {
  if (Array.isArray(data)) return Buffer.concat(data);
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  return data;
}
