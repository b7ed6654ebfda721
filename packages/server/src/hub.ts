/**
 * The hub: wiring only. An HTTP server (`http/routes.ts`: services over HTTP, health, metrics,
 * status and the dashboard) with a WebSocket endpoint at `/ws`;
 * each socket goes through `socket-admission.ts`, then its binary frames go to the router and its
 * text frames to `control-frames.ts`; `liveness.ts` pings; the manager and the registry serve the
 * workspace. Options and their defaults are in `hub-options.ts`.
 */
import { createServer, type RequestListener } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type RawData } from 'ws';
import { API_VERSION, systemClock } from '@mycel/protocol';
import { tellChunkReceivers } from './chunk-senders.js';
import type { ClientConnection } from './connection.js';
import { handleControlFrame } from './control-frames.js';
import { resolveHubOptions, type HubOptions } from './hub-options.js';
import { createHttpGateway } from './http/gateway.js';
import { HttpError, sendError } from './http/respond.js';
import { createHttpHandler } from './http/routes.js';
import { StatusRoutes } from './http/status-routes.js';
import { callClockMs } from './metrics/call-window.js';
import { HubMetrics, type InstanceCalls } from './metrics/hub-metrics.js';
import { listen } from './listen.js';
import { startLiveness } from './liveness.js';
import { createManager, managerPeerId } from './manager/manager.js';
import { QueuedBytes } from './queued-bytes.js';
import { Registry, type ServiceRecord } from './registry.js';
import { Router } from './router.js';
import { admitSocket } from './socket-admission.js';
import { ChunkRelays } from './balanced-chunks.js';
import { workspaceStatus, type StatusSource } from './status/workspace-status.js';
import { TokenSigner } from './tokens.js';
import { VirtualTargets } from './virtual-targets.js';

/** The version reported to clients in `connection_info.hypha_version`. */
export const HUB_VERSION = '0.1.0';

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
  /** The targets of `balance:` proxies (virtual peers resolved per call). */
  readonly virtualTargets: VirtualTargets;
  /** The large messages on their way through `balance:` proxies, in chunks. */
  readonly chunkRelays: ChunkRelays;
  /** Connected clients by `workspace/client_id`. */
  readonly clients: ReadonlyMap<string, ClientConnection>;
  /** How many calls routed to the client `peerId` (`workspace/client_id`) wait for its answer. */
  inFlightTo(peerId: string): number;
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
export async function startHub(hubOptions: HubOptions = {}): Promise<Hub> {
  const options = resolveHubOptions(hubOptions);
  const { host, hubId, logger: log } = options;
  const tokens = new TokenSigner(options.tokenSecret);
  const startedAt = performance.now();
  const clients = new Map<string, ClientConnection>();
  const registry = new Registry();
  const virtualTargets = new VirtualTargets(options.maxBalancedServicesPerClient);
  const chunkRelays = new ChunkRelays();
  const metrics = options.metrics
    ? new HubMetrics(
        { connections: () => clients.size, services: () => registry.size, instances: () => instanceCalls(registry.list()) },
        { instanceLabels: options.metricsInstanceLabels },
      )
    : undefined;
  if (metrics) {
    registry.onRemoved = (record) => {
      if (record.serviceId !== 'built-in') metrics.retire(callsOf(record));
    };
  }
  const statusSource: StatusSource = {
    registry,
    hub: { id: hubId, version: HUB_VERSION },
    uptimeMs: () => performance.now() - startedAt,
    // The in-flight table's clock (its default).
    callClockMs,
    wallClockMs: () => Date.now(),
    windowMs: options.statusWindowMs,
  };
  // The manager and the router call each other; nothing is routed before both exist.
  const router: Router = new Router({
    clients,
    registry,
    manager: {
      peerId: managerPeerId(hubId),
      handleMessage: (message) => manager.peer.handleMessage(message),
      decodeBounds: { maxBodyBytes: options.maxManagerBodyBytes, maxBodyValues: options.maxManagerBodyValues },
    },
    logger: log,
    inFlight: {
      perCallee: options.maxInFlightPerClient,
      perCaller: options.maxInFlightPerCaller,
      staleAfterMs: options.inFlightStaleAfterMs,
    },
    virtualTargets,
    chunkRelays,
    queue: {
      maxCallsPerCaller: options.maxQueuedCallsPerClient,
      maxBytesPerCaller: options.maxQueuedBytesPerClient,
      defaultWaitMs: options.methodTimeoutMs,
      maxWaitMs: options.maxQueueWaitMs,
    },
  });

  // Until the manager exists (right after listening), HTTP requests get 503.
  let handleHttp: RequestListener = (_req, res) => sendError(res, new HttpError(503, 'LIMIT_EXCEEDED', 'the hub is starting'));
  const http = createServer((req, res) => handleHttp(req, res));
  // Listen before the WebSocket server attaches: it re-emits the HTTP server's errors, and a
  // failed listen (port in use) must reject here, not crash the process as an unhandled event.
  await listen(http, options.port, host);
  const wss = new WebSocketServer({ server: http, path: '/ws', maxPayload: options.maxPayloadBytes, perMessageDeflate: false });
  wss.on('error', (error) => log.error({ err: error.message }, 'server error'));
  const port = (http.address() as AddressInfo).port;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;

  const manager = createManager({
    registry,
    router,
    virtualTargets,
    clients,
    options,
    clock: systemClock,
    serverInfo: { hub_id: hubId, api_version: API_VERSION, public_base_url: url, hypha_version: HUB_VERSION },
    observer: metrics,
    onDrained: metrics ? (outcome) => metrics.drained(outcome) : undefined,
    status: (workspace, serviceId) => workspaceStatus(statusSource, workspace, serviceId),
  });

  const gateway = createHttpGateway({
    hubId,
    manager,
    clients,
    route: (sender, frame) => router.routeFromClient(sender, frame),
    clock: systemClock,
    logger: log,
    callTimeoutMs: options.httpCallTimeoutMs,
  });
  const statusRoutes = new StatusRoutes({
    source: statusSource,
    streamIntervalMs: options.statusStreamIntervalMs,
    maxStreams: options.maxStatusStreams,
  });
  let isClosing = false;
  handleHttp = createHttpHandler({
    gateway,
    status: statusRoutes,
    metrics,
    health: {
      isClosing: () => isClosing,
      isReady: () => true,
      clients: () => clients.size,
      services: () => registry.size,
      uptimeMs: () => performance.now() - startedAt,
    },
    limits: { maxBodyBytes: options.maxHttpBodyBytes, maxQueryChars: options.maxHttpQueryChars },
    logger: log,
  });

  const liveness = startLiveness(wss, options.pingIntervalMs, log);
  const control = { tokens, tokenLifetimeS: options.reconnectionTokenLifetimeS, maxChars: options.maxControlFrameChars, log };
  const onFrame = (connection: ClientConnection, data: RawData, isBinary: boolean): void => {
    // A superseded (or closing) socket no longer speaks for its client id.
    if (!connection.isOpen) return;
    liveness.markAlive(connection.socket);
    if (metrics) {
      metrics.framesIn++;
      metrics.bytesIn += byteLength(data);
    }
    if (isBinary) router.routeFromClient(connection, toBytes(data));
    else handleControlFrame(connection, data.toString(), control);
  };
  const onClose = (connection: ClientConnection, code: number): void => {
    connection.markClosed();
    const rejected = router.rejectInFlight(connection, `peer "${connection.peerId}" disconnected`);
    if (clients.get(connection.peerId) !== connection) {
      log.info({ client: connection.peerId, code, rejected }, 'superseded socket closed');
      return;
    }
    clients.delete(connection.peerId);
    router.forgetCaller(connection.peerId);
    virtualTargets.dropOwner(connection.peerId);
    manager.removeClient(connection);
    tellChunkReceivers(connection, manager.peerId, true);
    (connection.log ?? log).info({ client: connection.peerId, code, rejected }, 'client disconnected');
  };
  const onSuperseded = (old: ClientConnection): void => {
    // What the old connection was sending in chunks must not meet the new one.
    manager.peer.forgetChunksFrom(old.peerId);
    tellChunkReceivers(old, manager.peerId, false);
  };
  const admission = {
    options,
    clients,
    tokens,
    url,
    managerClientId: manager.peerId.slice(2),
    hubVersion: HUB_VERSION,
    log,
    queuedBytes: new QueuedBytes<ClientConnection>(options.maxTotalBufferedBytes),
    onFrame,
    onClose,
    onSuperseded,
    observer: metrics,
    traffic: metrics,
  };

  wss.on('connection', (socket, request) => {
    if (isClosing) {
      socket.terminate();
      return;
    }
    // `wss.clients` holds this socket too: every connection counts, handshakes included.
    if (wss.clients.size > options.maxConnections) {
      log.warn({ connections: wss.clients.size - 1, limit: options.maxConnections }, 'connection refused: hub is full');
      socket.close(1013, `hub is full (${options.maxConnections} connections): try again later`);
      return;
    }
    liveness.markAlive(socket);
    socket.on('pong', () => liveness.markAlive(socket));
    socket.on('error', (error) => log.warn({ err: error.message }, 'socket error'));
    admitSocket(socket, request, admission);
  });

  log.info({ host, port, hubId, url }, 'hub listening');

  let closing: Promise<void> | undefined;
  return {
    url,
    host,
    port,
    hubId,
    managerId: manager.peerId,
    registry,
    virtualTargets,
    chunkRelays,
    clients,
    inFlightTo(peerId) {
      const connection = clients.get(peerId);
      return connection ? router.inFlightTo(connection) : 0;
    },
    close() {
      closing ??= shutdown();
      return closing;
    },
  };

  async function shutdown(): Promise<void> {
    isClosing = true;
    liveness.stop();
    gateway.close();
    // Open event streams would keep the HTTP server from closing.
    statusRoutes.closeAll();
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
    }, options.closeGraceMs);
    force.unref();
    await Promise.all(closed);
    clearTimeout(force);
    await new Promise<void>((resolve) => wss.close(() => resolve()));
    await httpClosed;
    log.info({ hubId }, 'hub closed');
  }
}

/** The call figures of every registered instance (built-in services are plumbing, not services). */
function* instanceCalls(records: readonly ServiceRecord[]): Iterable<InstanceCalls> {
  for (const record of records) if (record.serviceId !== 'built-in') yield callsOf(record);
}

function callsOf(record: ServiceRecord): InstanceCalls {
  return { workspace: record.workspace, service: record.serviceId, instance: record.id, state: record.state };
}

function byteLength(data: RawData): number {
  if (Array.isArray(data)) return data.reduce((sum, chunk) => sum + chunk.length, 0);
  return data instanceof ArrayBuffer ? data.byteLength : data.length;
}

function toBytes(data: RawData): Uint8Array {
  if (Array.isArray(data)) return Buffer.concat(data);
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  return data;
}
