/**
 * The options and call-side types of the RPC peer engine (`RpcPeer` in `peer.ts`).
 */
import type { Clock } from './clock.js';
import type { DecodeBounds } from './limits.js';

/** What a function with `require_context` receives as its last argument. */
export interface CallContext {
  from: string;
  to: string;
  ws: string;
  user: unknown;
  [key: string]: unknown;
}

/** Log sink of the engine (pino-compatible: object first, message second). */
export interface PeerLogger {
  warn(obj: object, msg: string): void;
  debug?(obj: object, msg: string): void;
}

/** Options of {@link RpcPeer}. */
export interface PeerOptions {
  /** This peer's workspace (`*` for the hub's manager). */
  workspace: string;
  /** This peer's client id. */
  clientId: string;
  /**
   * Writes one binary frame to the transport. May throw when the transport is closed. `meta`
   * says where it goes (and the session, for a call), for senders that route without decoding.
   */
  send: (frame: Uint8Array, meta: FrameMeta) => void;
  /**
   * Extra header fields for frames to `to`. The hub's manager sets `ws` and `user` itself, so its
   * frames need no stamping on the way out.
   */
  stamp?: (to: string) => Record<string, unknown>;
  /** Time source. @default systemClock */
  clock?: Clock;
  /** Time a call may go without an answer or heartbeat. @default 30000 */
  methodTimeoutMs?: number;
  /** Most calls waiting for an answer at once. @default 10000 */
  maxPendingCalls?: number;
  /** Base URL reported as `_rserver` in exported descriptors. */
  serverBaseUrl?: string;
  /** Where protocol warnings go. */
  logger?: PeerLogger;
  /** Called with every non-`method` message (events). */
  onEvent?: (message: Record<string, unknown>) => void;
  /**
   * Runs each time a long-lived interface (`_rintf`) is exported. The SDK uses it to hear of
   * `client_disconnected`, which releases the interfaces of a holder that left.
   */
  onLongLivedExport?: () => void;
  /** Add the `built-in` service (ping, get_service, message_cache). @default true */
  builtIn?: boolean;
  /** Name of the `built-in` service, as listings show it. @default "built-in" */
  name?: string;
  /**
   * Largest message this peer sends, in bytes. Messages over 256 KiB go in chunks; one over this
   * fails its own call (or answers its caller with the error), never the connection.
   * @default 66060288 (63 MiB)
   */
  maxMessageBytes?: number;
  /**
   * Bounds on every body this peer decodes itself (frames, reassembled chunked messages), checked
   * before decoding. Calls to `built-in` are bounded by `BUILT_IN_DECODE_BOUNDS` as well.
   * @default none (the transport's frame limit)
   */
  decodeBounds?: DecodeBounds;
}

/** Where a frame goes, as its sender knows without decoding it. */
export interface FrameMeta {
  to: string;
  /** Present on calls that expect an answer. */
  session?: string;
}

/** Options of one outgoing call. */
export interface CallOptions {
  /** Overrides the peer's method timeout for this call. */
  timeoutMs?: number;
  /** Sent as keyword arguments (`with_kwargs`), for peers that take them. */
  kwargs?: Record<string, unknown>;
  /**
   * Let the callee's heartbeats extend the timeout. `false` makes the timeout an absolute
   * deadline: heartbeats are ignored (`t` is still sent, as hypha-rpc's callees need it).
   * @default true
   */
  heartbeats?: boolean;
  /**
   * The affinity key of this one call, sent as the header field `balance_key`: a `balance:hash`
   * proxy's hub routes the call by it instead of the proxy's key. Other targets ignore it.
   */
  balanceKey?: string;
}
