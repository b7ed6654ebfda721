/**
 * @mycel/protocol: Mycel's wire protocol (Hypha's, API version 3) with no I/O of its own.
 *
 * - frame codec: {@link encodeFrame}, {@link decodeHead}, {@link replaceHead}
 * - message schemas: {@link frameHeadSchema}, {@link connectionRequestSchema}, ...
 * - value encodings: {@link encodeValue}, {@link decodeValue}, {@link NdArray}
 * - large messages: {@link CHUNK_SIZE_BYTES}, {@link DEFAULT_MAX_MESSAGE_BYTES}
 * - the RPC engine: {@link RpcPeer}
 * - selection: {@link parseMode}, {@link selectInstance}
 */
export { CHUNK_SIZE_BYTES, CHUNK_THRESHOLD_BYTES, DEFAULT_MAX_MESSAGE_BYTES, MAX_CHUNKS_IN_FLIGHT } from './chunked-send.js';
export { systemClock } from './clock.js';
export type { Clock, TimerHandle } from './clock.js';
export {
  checkBody,
  checkBodyValues,
  decodeBody,
  decodeFrame,
  decodeHead,
  encodeFrame,
  mergeMessage,
  packField,
  packValue,
  replaceHead,
  RESERVED_BODY_KEYS,
  unpackValue,
  type PackedField,
} from './codec.js';
export type { SplitFrame } from './codec.js';
export {
  connectionInfoSchema,
  connectionRequestSchema,
  controlFrameSchema,
  frameHeadSchema,
  isFrameHead,
  isMethodMessage,
  methodMessageSchema,
  serverControlFrameSchema,
  userInfoSchema,
} from './envelope.js';
export type {
  ConnectionInfo,
  ConnectionRequest,
  FrameHead,
  MethodMessage,
  ServerControlFrame,
  UserInfo,
} from './envelope.js';
export { LIFECYCLE_EVENT_TYPES, RESERVED_EVENT_TYPES, SYSTEM_EVENT_TYPES } from './events.js';
export { ERROR_CODES, errorToPayload, isErrorCode, isMycelError, MycelError, RETRYABLE_CODES } from './errors.js';
export type { ErrorCode, ErrorPayload, MycelErrorOptions } from './errors.js';
export {
  badQuery,
  formatServiceId,
  isValidName,
  ownerOfServiceId,
  parseServiceQuery,
  resolvePeerId,
  splitPeerId,
  splitServiceAddress,
} from './ids.js';
export type { ServiceAddress } from './ids.js';
export {
  API_VERSION,
  BUILT_IN_DECODE_BOUNDS,
  DEFAULT_GET_SERVICE_TIMEOUT_MS,
  DEFAULT_HANDSHAKE_TIMEOUT_MS,
  DEFAULT_LIMITS,
  DEFAULT_METHOD_TIMEOUT_MS,
  DEFAULT_RECONNECTION_TOKEN_LIFETIME_S,
  DEFAULT_SELECT_TIMEOUT_MS,
} from './limits.js';
export type { DecodeBounds, ReceiverLimits } from './limits.js';
export {
  CACHED_CHUNK_OVERHEAD_BYTES,
  CACHED_MESSAGE_OVERHEAD_BYTES,
  CACHED_MESSAGE_TTL_MS,
  MAX_CACHED_BYTES,
  MAX_CACHED_BYTES_PER_SENDER,
  MAX_CACHED_MESSAGES,
  MAX_CACHED_MESSAGES_PER_SENDER,
} from './message-cache.js';
export type { MessageCacheLimits } from './message-cache.js';
export { NdArray } from './ndarray.js';
export type { NdArrayData } from './ndarray.js';
export { choosingModeForms, defaultMode, formatMode, isPerCallMode, MODE_GRAMMAR, parseMode, VALID_MODE_FORMS } from './modes.js';
export type { BalanceStrategy, Mode, ModeString, SelectCriterion } from './modes.js';
export { paramNames, withParamNames } from './params.js';
export {
  isLongLivedFunction,
  isLongLivedId,
  LONG_LIVED_PREFIX,
  longLived,
  LongLivedInterfaces,
  MAX_LONG_LIVED,
  MAX_LONG_LIVED_PER_HOLDER,
} from './long-lived.js';
export { RpcPeer } from './peer.js';
export type {
  CallContext,
  CallOptions,
  FrameMeta,
  PeerLogger,
  PeerOptions,
  ServiceConfig,
  ServiceDefinition,
  Visibility,
} from './peer.js';
export { isMsgpackMap, skipMsgpack } from './scan.js';
export type { ScanRules } from './scan.js';
export { isWellFormedUtf8 } from './utf8.js';
export { notFound, pickByProbes, pickExact, pickRandom, probeNumber, selectInstance } from './select.js';
export { INSTANCE_STATES } from './status.js';
export type { InstanceStatus, ServiceStatus, WorkspaceStatus } from './status.js';
export type { Probe, Selection, SelectionReason, SelectOptions } from './select.js';
export {
  bindDescriptor,
  decodeValue,
  descriptorOf,
  encodeValue,
  isMethodDescriptor,
  MAX_VALUE_DEPTH,
} from './values.js';
export type { MethodDescriptor, ValueHooks } from './values.js';
