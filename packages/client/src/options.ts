/**
 * Options of `connectToServer`, the SDK's defaults, and the event names it knows.
 */
import { DEFAULT_GET_SERVICE_TIMEOUT_MS, LIFECYCLE_EVENT_TYPES } from '@mycel/protocol';
import type { DrainOnSignalOptions } from './drain.js';
import type { ReconnectOptions } from './reconnect.js';
import type { OpenTransport, WebSocketConstructor } from './transport.js';

/** Log sink (pino-compatible: object first). All methods optional. */
export interface ClientLogger {
  debug?(obj: object, msg: string): void;
  info?(obj: object, msg: string): void;
  warn?(obj: object, msg: string): void;
  error?(obj: object, msg: string): void;
}

/** Options of {@link connectToServer}. snake_case (hypha-rpc) and camelCase spellings both work. */
export interface ConnectOptions {
  /** Hub URL, `http(s)://` or `ws(s)://`; `/ws` is added. */
  server_url?: string;
  serverUrl?: string;
  /** Client id. @default random */
  client_id?: string;
  clientId?: string;
  /** Workspace to join. @default "public" for anonymous clients */
  workspace?: string;
  /** Authentication token (not supported by the hub yet). */
  token?: string;
  /** A reconnection token from an earlier connection (`config.reconnection_token`): come back as that client. */
  reconnection_token?: string;
  /** Name of this client's `built-in` service, as listings show it. @default "built-in" */
  name?: string;
  /** Method timeout in seconds (hypha-rpc spelling). @default 30 */
  method_timeout?: number;
  /** Method timeout in milliseconds. @default 30000 */
  methodTimeoutMs?: number;
  /** Time allowed for connecting and the handshake. @default 30000 */
  handshakeTimeoutMs?: number;
  /** Reconnection policy; `false` disables it. @default enabled, 100 ms doubling to 1 s, ±20 % */
  reconnect?: boolean | ReconnectOptions;
  /**
   * How long the first connection may wait for a hub that is not reachable yet (refused, or
   * closed before the handshake): it tries again with the reconnection backoff until this much
   * time has passed, then rejects with the last error. Errors that waiting cannot fix (a
   * refusal, `https://` against a plain hub, a wrong path) reject at once. `0`: one attempt.
   * @default 0
   */
  waitForHubMs?: number;
  /**
   * While the client reconnects after a lost connection, calls made (service calls, manager
   * calls) wait for the reconnection and go out then, up to their own timeout. `false`: they
   * reject at once with `CONNECTION_CLOSED` (`not connected to the hub`). Calls already sent
   * when the connection was lost reject either way: they may have run.
   * @default false
   */
  waitForReconnect?: boolean;
  /**
   * On SIGTERM, drain (`api.drain()`: no new calls, those in flight finish), disconnect and exit
   * with code 0; an object sets the drain's `timeout` (seconds), the `signals`, and whether to
   * `exit`. Node.js only. Off by default: a SIGTERM then ends the process as Node does.
   * @default false
   */
  drainOnSigterm?: boolean | DrainOnSignalOptions;
  /** WebSocket implementation. @default globalThis.WebSocket, else `ws` */
  WebSocket?: WebSocketConstructor;
  /**
   * How to reach the hub, instead of a WebSocket to `server_url`: called for the first connection
   * and each reconnection with the handshake request; resolves with a ready transport and the
   * hub's `connection_info`. For tests (an in-memory pair) and custom transports.
   */
  openTransport?: OpenTransport;
  /** Logger. @default none */
  logger?: ClientLogger;
}

/** The hub's system events; `on` subscribes to them at the hub as well. */
export const HUB_EVENTS = ['service_added', 'service_removed', 'service_updated', 'client_connected', 'client_disconnected'] as const;

/** Lifecycle events the client emits locally. */
export type LifecycleEvent = 'disconnected' | 'reconnecting' | 'reconnected' | 'services_registered' | 'closed';

/** Events only this client raises; a peer's frame of these types is ignored. */
export const LOCAL_ONLY_EVENTS: ReadonlySet<string> = new Set(LIFECYCLE_EVENT_TYPES);

/** Default time allowed for connecting and the handshake. */
export const DEFAULT_CONNECT_TIMEOUT_MS = 30_000;
/** Default `timeout` of `getService`, in seconds (hypha-rpc's unit). */
export const DEFAULT_GET_SERVICE_TIMEOUT_S = DEFAULT_GET_SERVICE_TIMEOUT_MS / 1000;
/** How often the reconnection token is refreshed (hypha-rpc's default), at most. */
export const TOKEN_REFRESH_INTERVAL_MS = 7_200_000;
