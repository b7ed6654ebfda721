/**
 * @mycel/client: the Mycel SDK. Connect with {@link connectToServer}, then register services,
 * get typed proxies with a selection mode, list services and follow events.
 */
export { connectToServer, MycelClient } from './connect.js';
export { DEFAULT_DRAIN_TIMEOUT_S, drainOnSignal } from './drain.js';
export type { Drainable, DrainOnSignalOptions, DrainOptions, DrainResult } from './drain.js';
export { HUB_EVENTS } from './options.js';
export type { ClientLogger, ConnectOptions, LifecycleEvent } from './options.js';
export { backoffDelay, DEFAULT_RECONNECT, ReconnectLoop, reconnectPolicy } from './reconnect.js';
export type { ReconnectHooks } from './reconnect.js';
export type { ReconnectOptions, ReconnectPolicy } from './reconnect.js';
export { normaliseServerUrl, openWebSocketTransport } from './transport.js';
export type {
  ConnectionRequest,
  OpenTransport,
  Transport,
  TransportMessage,
  WebSocketConstructor,
  WebSocketLike,
} from './transport.js';
export type {
  GetServiceOptions,
  HubEvent,
  RegisterServiceOptions,
  RemoteFunction,
  ServiceDefinition,
  ServiceInfo,
  ServiceMember,
  ServiceProxy,
  ServiceProxyMeta,
  ServiceProxyOf,
  UntypedServiceProxy,
} from './types.js';
export { isMycelError, longLived, MycelError, NdArray, RETRYABLE_CODES } from '@mycel/protocol';
export type { ErrorCode, InstanceStatus, ModeString, NdArrayData, ServiceStatus, WorkspaceStatus } from '@mycel/protocol';
