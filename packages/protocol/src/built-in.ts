/**
 * The `built-in` service every peer offers (hypha-rpc has the same): `ping`, `get_service` (the
 * wire description of a local service, how others obtain proxies) and `message_cache` (receiving
 * messages that a sender split into chunks, as hypha-rpc does above 256 KiB).
 */
import { MycelError } from './errors.js';
import { API_VERSION } from './limits.js';
import type { MessageCache } from './message-cache.js';
import { withParamNames } from './params.js';
import type { ServiceDefinition } from './local-services.js';

/** The call context the built-in functions receive (always given: `require_context` is set). */
interface BuiltInContext {
  from: string;
  ws: string;
}

/** What the built-in service needs from its peer. */
export interface BuiltInHost {
  /** Display name of the service. */
  name: string;
  /** The wire description of local service `id`, if `context` may see it. */
  describeService(id: string, context: BuiltInContext): Record<string, unknown>;
  cache: MessageCache;
  /**
   * A chunk for call `key` counts as a heartbeat of that call, when it still waits and `from` is
   * the peer the call went to.
   */
  touch(key: unknown, heartbeat: unknown, from: string): void;
  /** Runs a reassembled frame as if `context.from` had sent it. */
  processFrame(frame: Uint8Array, context: BuiltInContext): void;
}

/** Builds the `built-in` service definition. */
export function createBuiltInService(host: BuiltInHost): ServiceDefinition {
  const { cache } = host;
  return {
    id: 'built-in',
    type: 'built-in',
    name: host.name,
    config: { visibility: 'public', require_context: true, api_version: API_VERSION },
    ping: withParamNames((msg: unknown) => {
      if (msg !== 'ping') throw new MycelError('BAD_MESSAGE', 'ping expects "ping"');
      return 'pong';
    }, ['msg', 'context']),
    get_service: withParamNames((serviceId: unknown, context: BuiltInContext) => {
      if (typeof serviceId !== 'string') throw new MycelError('BAD_MESSAGE', 'service id must be a string');
      return host.describeService(serviceId, context);
    }, ['service_id', 'context']),
    message_cache: {
      create: withParamNames((key: unknown, heartbeat: unknown, overwrite: unknown, context: BuiltInContext) => {
        host.touch(key, heartbeat, context.from);
        cache.create(String(key), context.from, overwrite === true);
      }, ['key', 'heartbeat', 'overwrite', 'context']),
      append: withParamNames((key: unknown, data: unknown, heartbeat: unknown, context: BuiltInContext) => {
        host.touch(key, heartbeat, context.from);
        cache.append(String(key), context.from, data);
      }, ['key', 'data', 'heartbeat', 'context']),
      set: withParamNames((key: unknown, index: unknown, data: unknown, heartbeat: unknown, context: BuiltInContext) => {
        host.touch(key, heartbeat, context.from);
        cache.set(String(key), context.from, index, data);
      }, ['key', 'index', 'data', 'heartbeat', 'context']),
      process: withParamNames((key: unknown, heartbeat: unknown, context: BuiltInContext) => {
        host.touch(key, heartbeat, context.from);
        host.processFrame(cache.take(String(key), context.from), context);
      }, ['key', 'heartbeat', 'context']),
      remove: withParamNames((key: unknown, context: BuiltInContext) => {
        cache.remove(String(key), context.from);
      }, ['key', 'context']),
    },
  };
}
