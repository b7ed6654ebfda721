/**
 * Receiver-side limits and protocol constants, with their defaults. Every limit the hub or the SDK
 * enforces is named here, so it is documented once and can be overridden per instance.
 */

/** hypha-rpc's `API_VERSION`; reported in `connection_info` and in the manager's config. */
export const API_VERSION = 3;

/** Default method timeout of a remote call; heartbeats from the callee reset it. */
export const DEFAULT_METHOD_TIMEOUT_MS = 30_000;

/** Default bound of a whole `select:` probe round (Hypha's `select_timeout` of 2.0 s). */
export const DEFAULT_SELECT_TIMEOUT_MS = 2_000;

/** Default time a hub's manager waits for a provider's service description (`get_service`). */
export const DEFAULT_GET_SERVICE_TIMEOUT_MS = 10_000;

/** How long the hub waits for the first (handshake) frame. */
export const DEFAULT_HANDSHAKE_TIMEOUT_MS = 5_000;

/** Lifetime of a reconnection token, as Hypha (2 days). */
export const DEFAULT_RECONNECTION_TOKEN_LIFETIME_S = 172_800;

/** Limits a receiver applies to what a peer sends it. */
export interface ReceiverLimits {
  /** Largest frame accepted, in bytes. @default 16 MiB */
  maxPayloadBytes: number;
  /** Deepest nesting of arrays and maps accepted inside a frame's header object. @default 32 */
  maxHeaderDepth: number;
  /** Most calls one peer may have waiting for an answer at once. @default 10000 */
  maxPendingCalls: number;
  /** Deepest nesting of arrays and maps accepted inside a frame's body. @default 100 */
  maxBodyDepth: number;
}

/** The defaults of {@link ReceiverLimits}. */
export const DEFAULT_LIMITS: Readonly<ReceiverLimits> = Object.freeze({
  maxPayloadBytes: 16 * 1024 * 1024,
  maxHeaderDepth: 32,
  maxPendingCalls: 10_000,
  maxBodyDepth: 100,
});

/**
 * Bounds on one message body that a peer decodes, checked on its encoded bytes before anything
 * is decoded: decoding costs time and memory in proportion to the values it makes (a million
 * small keys in 8.5 MiB stalled a hub for seconds), so an endpoint anyone may call refuses a
 * large body first, with `LIMIT_EXCEEDED`.
 */
export interface DecodeBounds {
  /** Largest body, in bytes. */
  maxBodyBytes: number;
  /** Most msgpack values in a body, containers included. */
  maxBodyValues: number;
}

/**
 * Bounds of calls to a peer's `built-in` service, which every workspace may call: chunks of
 * large messages (256 KiB each from hypha-rpc), pings, service descriptions.
 * 1088 KiB (a chunk of up to 1 MiB and its envelope) and 10 000 values.
 */
export const BUILT_IN_DECODE_BOUNDS: Readonly<DecodeBounds> = Object.freeze({
  maxBodyBytes: 1024 * 1024 + 64 * 1024,
  maxBodyValues: 10_000,
});
