/**
 * The hub's configuration: {@link HubOptions} as callers give it, {@link DEFAULT_HUB_OPTIONS} with
 * every default (each name carries its unit), and {@link resolveHubOptions}, which the hub runs
 * once at start. The CLI and the limits tables in the docs read their figures from here.
 */
import pino, { type Logger } from 'pino';
import {
  DEFAULT_HANDSHAKE_TIMEOUT_MS,
  DEFAULT_LIMITS,
  DEFAULT_METHOD_TIMEOUT_MS,
  DEFAULT_RECONNECTION_TOKEN_LIFETIME_S,
} from '@mycel/protocol';

/** Options of `startHub`. Every one is optional; {@link DEFAULT_HUB_OPTIONS} holds the defaults. */
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
  /** Largest handshake frame accepted, in characters. @default 65536 */
  maxHandshakeChars?: number;
  /**
   * Longest call the manager makes on a client's behalf (service fetch, ping): timeouts a caller
   * asks for are clamped to it. @default 30000
   */
  methodTimeoutMs?: number;
  /** Largest frame accepted; larger ones close the socket with 1009. @default 16 MiB */
  maxPayloadBytes?: number;
  /** Most services one client may register (`built-in` not counted). @default 1000 */
  maxServicesPerClient?: number;
  /** Largest service info accepted, packed: metadata, not payload. @default 64 KiB */
  maxServiceInfoBytes?: number;
  /**
   * Largest `list_services` reply, packed; a longer list is refused with `LIMIT_EXCEEDED`, asking
   * for a narrower query. @default 4 MiB
   */
  maxListReplyBytes?: number;
  /** Most unanswered calls routed to one client at once. @default 10000 */
  maxInFlightPerClient?: number;
  /**
   * Most unanswered calls one caller may have routed to one client. While other callers hold
   * calls to it too, a caller may add one only while more slots are free than it holds. @default 1000
   */
  maxInFlightPerCaller?: number;
  /** Most bytes queued for a client that does not read; past it the client is dropped. @default 64 MiB */
  maxBufferedBytes?: number;
  /**
   * Most bytes queued for all clients together; past it the client with the most queued is
   * dropped. @default 256 MiB
   */
  maxTotalBufferedBytes?: number;
  /**
   * Most WebSocket connections at once, handshakes included; past it a new socket is closed with
   * 1013 (try again later). @default 10000
   */
  maxConnections?: number;
  /**
   * Messages per second one client may send on average; past it the hub stops reading it for a
   * while. Each copy of a broadcast it causes counts as one message. @default 20000
   */
  maxMessagesPerSecond?: number;
  /** Messages one client may send in a burst above its rate. @default twice `maxMessagesPerSecond` */
  messageBurst?: number;
  /**
   * Messages of one over-rate client that may wait for their turn; reads are paused meanwhile, so
   * only what was already in flight lands here. Past it the client is dropped. @default 10000
   */
  maxQueuedMessages?: number;
  /** Longest text (control) frame read; longer ones are ignored, as Hypha does. @default 1000 */
  maxControlFrameChars?: number;
  /** Interval of WebSocket pings; a client that missed one pong is terminated. @default 10000 */
  pingIntervalMs?: number;
  /** Event types one client may subscribe to. @default 256 */
  maxSubscriptionsPerClient?: number;
  /** Manager operations that call out (selections, service fetches, pings) one client may run at once. @default 32 */
  maxManagerCallsPerClient?: number;
  /**
   * Largest message body the manager decodes (its calls carry metadata: a service info is at most
   * `maxServiceInfoBytes`; chunks of larger messages at most 1 MiB); larger ones are refused
   * unread with `LIMIT_EXCEEDED`. @default 1088 KiB (a 1 MiB chunk and its envelope)
   */
  maxManagerBodyBytes?: number;
  /** Most msgpack values in a body the manager decodes; more are refused unread with `LIMIT_EXCEEDED`. @default 16384 */
  maxManagerBodyValues?: number;
  /** Default timeout of the manager's `ping` when the caller gives none. @default 5000 */
  managerPingTimeoutMs?: number;
  /** Balanced services (`balance:` proxies) one client may hold; asking again for the same one reuses it. @default 256 */
  maxBalancedServicesPerClient?: number;
  /** Calls of one client that may wait in the hub for an instance below its `max_concurrency`. @default 1000 */
  maxQueuedCallsPerClient?: number;
  /** Bytes of such waiting calls one client may have in the hub. @default 16 MiB */
  maxQueuedBytesPerClient?: number;
  /**
   * Longest a call waits for capacity; within it, a call waits until shortly before its caller's
   * own timeout (without `methodTimeoutMs` when the caller does not say). @default 120000
   */
  maxQueueWaitMs?: number;
  /**
   * Longest a load report (the last value an instance gave for a `select:min|max:FN` metric)
   * counts; an older one is unknown and the instance is probed again. 0 never reuses one. @default 2000
   */
  loadReportMaxAgeMs?: number;
  /** Time a closing hub waits for peers to finish the close handshake before cutting them off. @default 2000 */
  closeGraceMs?: number;
  /** Longest HTTP service call (`/{ws}/services/{svc}/{fn}`), selection included. @default 30000 */
  httpCallTimeoutMs?: number;
  /** Largest HTTP request body; larger ones get 413. @default 1 MiB */
  maxHttpBodyBytes?: number;
  /** Longest HTTP query string; longer ones get 414. @default 8192 */
  maxHttpQueryChars?: number;
  /** Serve Prometheus metrics at `/metrics`. @default true */
  metrics?: boolean;
  /** Label call metrics with the instance id; turn off for large fleets (one series per service). @default true */
  metricsInstanceLabels?: boolean;
  /** The recent window of the status figures (success rate, percentiles, share). @default 60000 */
  statusWindowMs?: number;
  /** Time between two events of a status stream (`/{ws}/status/stream`, the dashboard). @default 1000 */
  statusStreamIntervalMs?: number;
  /** Status streams open at once; more get 503. @default 64 */
  maxStatusStreams?: number;
  /** Secret of reconnection tokens. @default random per hub (tokens die with the hub) */
  tokenSecret?: string;
  /** Lifetime of reconnection tokens in seconds. @default 172800 */
  reconnectionTokenLifetimeS?: number;
}

/** The options every hub runs with: each one set. */
export type ResolvedHubOptions = Required<Omit<HubOptions, 'tokenSecret'>> & {
  tokenSecret: string | undefined;
  /**
   * Age past which an in-flight entry may be dropped to make room: twice `methodTimeoutMs`. Only
   * under pressure, and only the slot: the call itself still gets its answer.
   */
  inFlightStaleAfterMs: number;
};

/** The defaults of {@link HubOptions} (all but `logger` and `tokenSecret`, made per hub). */
export const DEFAULT_HUB_OPTIONS = Object.freeze({
  host: '127.0.0.1',
  port: 9527,
  hubId: 'mycel',
  handshakeTimeoutMs: DEFAULT_HANDSHAKE_TIMEOUT_MS,
  maxHandshakeChars: 64 * 1024,
  methodTimeoutMs: DEFAULT_METHOD_TIMEOUT_MS,
  maxPayloadBytes: DEFAULT_LIMITS.maxPayloadBytes,
  maxServicesPerClient: 1_000,
  maxServiceInfoBytes: 64 * 1024,
  maxListReplyBytes: 4 * 1024 * 1024,
  maxInFlightPerClient: 10_000,
  maxInFlightPerCaller: 1_000,
  maxBufferedBytes: 64 * 1024 * 1024,
  maxTotalBufferedBytes: 256 * 1024 * 1024,
  maxConnections: 10_000,
  maxMessagesPerSecond: 20_000,
  messageBurst: 40_000,
  maxQueuedMessages: 10_000,
  maxControlFrameChars: 1_000,
  pingIntervalMs: 10_000,
  maxSubscriptionsPerClient: 256,
  maxManagerCallsPerClient: 32,
  maxManagerBodyBytes: 1024 * 1024 + 64 * 1024,
  maxManagerBodyValues: 16_384,
  managerPingTimeoutMs: 5_000,
  maxBalancedServicesPerClient: 256,
  maxQueuedCallsPerClient: 1_000,
  maxQueuedBytesPerClient: 16 * 1024 * 1024,
  maxQueueWaitMs: 120_000,
  loadReportMaxAgeMs: 2_000,
  closeGraceMs: 2_000,
  httpCallTimeoutMs: DEFAULT_METHOD_TIMEOUT_MS,
  maxHttpBodyBytes: 1024 * 1024,
  maxHttpQueryChars: 8_192,
  metrics: true,
  metricsInstanceLabels: true,
  statusWindowMs: 60_000,
  statusStreamIntervalMs: 1_000,
  maxStatusStreams: 64,
  reconnectionTokenLifetimeS: DEFAULT_RECONNECTION_TOKEN_LIFETIME_S,
} as const satisfies Omit<Required<HubOptions>, 'logger' | 'tokenSecret'>);

/**
 * Fills every option left out with its default. `messageBurst` defaults to twice the rate
 * actually in force, so raising the rate alone raises the burst with it.
 */
export function resolveHubOptions(options: HubOptions = {}): ResolvedHubOptions {
  const defined = definedOnly(options);
  const rate = defined.maxMessagesPerSecond ?? DEFAULT_HUB_OPTIONS.maxMessagesPerSecond;
  const methodTimeoutMs = defined.methodTimeoutMs ?? DEFAULT_HUB_OPTIONS.methodTimeoutMs;
  return {
    ...DEFAULT_HUB_OPTIONS,
    ...defined,
    logger: defined.logger ?? pino({ level: 'info' }),
    tokenSecret: defined.tokenSecret,
    messageBurst: defined.messageBurst ?? 2 * rate,
    inFlightStaleAfterMs: 2 * methodTimeoutMs,
  };
}

/** `options` without keys whose value is `undefined` (which would shadow a default in a spread). */
function definedOnly(options: HubOptions): HubOptions {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(options)) if (value !== undefined) out[key] = value;
  return out as HubOptions;
}
