/**
 * The workspace manager: an ordinary RPC peer inside the hub (address `manager-{hubId}` in the pseudo-workspace `*`), built on the
 * same engine as the SDK. Its service `default` is what clients call to register, list, find and
 * select services and to subscribe to events.
 */
import {
  MycelError,
  parseMode,
  parseServiceQuery,
  RpcPeer,
  selectInstance,
  splitPeerId,
  withParamNames,
  DEFAULT_GET_SERVICE_TIMEOUT_MS,
  DEFAULT_SELECT_TIMEOUT_MS,
  packValue,
  probeNumber,
  type CallContext,
  type Clock,
  type ServiceDefinition,
  type UserInfo,
} from '@mycel/protocol';
import type { Logger } from 'pino';
import type { ClientConnection } from './connection.js';
import { listFilterFromQuery, type ListQuery } from './list-query.js';
import type { Registry, ServiceRecord, ServiceVisibility } from './registry.js';
import type { Router } from './router.js';

/** Options of {@link createManager}. */
export interface ManagerOptions {
  hubId: string;
  registry: Registry;
  router: Router;
  clients: ReadonlyMap<string, ClientConnection>;
  logger: Logger;
  clock: Clock;
  /** Most services one client may register. */
  maxServicesPerClient: number;
  /** Time a manager-originated call (probe, service fetch) may take. */
  methodTimeoutMs: number;
  /** Facts about the hub merged into the manager service's `config`. */
  serverInfo: Record<string, unknown>;
}

/** The manager as the hub uses it. */
export interface Manager {
  readonly peer: RpcPeer;
  readonly peerId: string;
  readonly user: UserInfo;
  /** Called after a client's socket closed for good: drop its services and tell subscribers. */
  removeClient(connection: ClientConnection): void;
}

const VISIBILITIES: readonly ServiceVisibility[] = ['protected', 'public', 'unlisted'];
const MAX_SUBSCRIPTIONS = 256;
/** Manager operations that call out (selections, service fetches, pings) one client may run at once. */
const MAX_CALLS_PER_CLIENT = 32;
/** Largest service info accepted, packed: metadata, not payload. */
export const MAX_SERVICE_INFO_BYTES = 64 * 1024;

/** Builds the manager peer and its `default` service. */
export function createManager(options: ManagerOptions): Manager {
  const { registry, router, clients, logger, clock } = options;
  const clientId = `manager-${options.hubId}`;
  const peerId = `*/${clientId}`;
  const user: UserInfo = {
    id: 'root',
    roles: ['admin'],
    is_anonymous: false,
    email: null,
    parent: null,
    scope: { current_workspace: '*', workspaces: { '*': 'a' }, client_id: clientId, extra_scopes: [] },
    expires_at: null,
  };
  const peer = new RpcPeer({
    workspace: '*',
    clientId,
    send: (frame, meta) => router.deliverFromManager(frame, meta),
    // Messages from the manager carry the target's workspace, so protected services accept them.
    stamp: (to) => ({ ws: splitPeerId(to).workspace, user }),
    clock,
    methodTimeoutMs: options.methodTimeoutMs,
    // Each client's share is bounded below (MAX_CALLS_PER_CLIENT operations, each at most a
    // probe round); this only has to hold all of them.
    maxPendingCalls: 1_000_000,
    logger,
  });

  const emit = (workspace: string, type: string, data: unknown) => router.broadcastEvent(workspace, type, data);

  /**
   * Runs an operation that makes the manager call out on `context.from`'s behalf. Each client may
   * have MAX_CALLS_PER_CLIENT of them at once, so one client cannot fill the manager's tables.
   */
  const busy = new Map<string, number>();
  const onBehalfOf = async <T>(context: CallContext, operation: () => Promise<T>): Promise<T> => {
    const running = busy.get(context.from) ?? 0;
    if (running >= MAX_CALLS_PER_CLIENT) {
      throw new MycelError('LIMIT_EXCEEDED', `too many manager requests at once from "${context.from}" (limit ${MAX_CALLS_PER_CLIENT})`);
    }
    busy.set(context.from, running + 1);
    try {
      return await operation();
    } finally {
      const left = (busy.get(context.from) ?? 1) - 1;
      if (left > 0) busy.set(context.from, left);
      else busy.delete(context.from);
    }
  };

  /**
   * The provider's description of a registered service (its functions as method descriptors),
   * fetched once per registration: it cannot change without a new registration, which makes a
   * new record. Saves a round trip to the provider on every later `get_service`.
   */
  const descriptions = new WeakMap<ServiceRecord, Promise<Record<string, unknown>>>();
  const describe = (record: ServiceRecord, timeoutMs: number): Promise<Record<string, unknown>> => {
    let description = descriptions.get(record);
    if (!description) {
      description = peer.getRemoteService(record.peerId, record.serviceId, { timeoutMs, heartbeats: false });
      descriptions.set(record, description);
      description.catch(() => descriptions.delete(record));
    }
    return description;
  };

  /** A caller-chosen timeout in seconds, clamped to the hub's bound; `fallbackMs` when absent. */
  const clampTimeoutMs = (seconds: unknown, fallbackMs: number): number => {
    const ms = typeof seconds === 'number' && seconds > 0 ? seconds * 1000 : fallbackMs;
    return Math.min(ms, options.methodTimeoutMs);
  };

  const select = async (query: unknown, config: unknown, context: CallContext): Promise<ServiceRecord> => {
    if (typeof query !== 'string' || query === '') throw new MycelError('BAD_MESSAGE', 'service id must be a non-empty string');
    const cfg = asRecord(config);
    const address = parseServiceQuery(query, context.ws);
    const mode = parseMode(cfg.mode, address.workspace);
    const timeoutMs = selectTimeoutMs(cfg.select_timeout);
    const candidates = registry.find(address).filter((r) => canUse(r, context.ws));
    const selection = await selectInstance(
      candidates,
      mode,
      async (record, ms) => {
        if (mode.kind !== 'select') return undefined;
        // An absolute deadline: a probe that heartbeats must not outlive its round.
        const value = await peer.call(record.peerId, `services.${record.serviceId}.${mode.fn}`, [], { timeoutMs: ms, heartbeats: false });
        const load = probeNumber(value);
        if (load !== undefined) record.stats.lastLoad = { value: load, at: clock.now() };
        return value;
      },
      { clock, timeoutMs, describe: (r) => r.id, query },
    );
    logger.debug({ query, mode: cfg.mode, chosen: selection.candidate.id, reason: selection.reason }, 'service selected');
    return selection.candidate;
  };

  const service: ServiceDefinition = {
    id: 'default',
    name: 'Mycel workspace manager',
    type: 'workspace-manager',
    description: 'Registers, lists, finds and selects services; subscribes to events.',
    config: { visibility: 'public', require_context: true, ...options.serverInfo },

    echo: withParamNames((msg: unknown) => msg, ['msg', 'context']),

    log: withParamNames((msg: unknown, context: CallContext) => {
      logger.info({ client: context.from, msg: String(msg).slice(0, 2000) }, 'client log');
    }, ['msg', 'context']),

    register_service: withParamNames((info: unknown, context: CallContext) => {
      const record = recordFromInfo(info, context, registry, options.maxServicesPerClient);
      if (!record) return info;
      const { record: stored, replaced } = registry.register(record);
      logger.info({ service: stored.id }, 'service registered');
      if (stored.serviceId === 'built-in') {
        if (!replaced) emit(stored.workspace, 'client_connected', { id: stored.clientId, workspace: stored.workspace });
      } else {
        if (replaced) emit(stored.workspace, 'service_removed', replaced.info);
        emit(stored.workspace, 'service_added', stored.info);
      }
      return stored.info;
    }, ['service', 'context']),

    unregister_service: withParamNames((serviceId: unknown, context: CallContext) => {
      if (typeof serviceId !== 'string' || serviceId === '') {
        throw new MycelError('BAD_MESSAGE', 'service id must be a non-empty string');
      }
      const full = `${context.from}:${ownedServiceId(serviceId, context.from).serviceId}`;
      const removed = registry.unregister(full);
      if (!removed) throw new MycelError('SERVICE_NOT_FOUND', `service "${String(serviceId)}" not found`);
      logger.info({ service: removed.id }, 'service unregistered');
      if (removed.serviceId === 'built-in') {
        emit(removed.workspace, 'client_disconnected', { id: removed.clientId, workspace: removed.workspace });
      } else {
        emit(removed.workspace, 'service_removed', removed.info);
      }
    }, ['service_id', 'context']),

    list_services: withParamNames((query: unknown, includeUnlisted: unknown, context: CallContext) => {
      const filter = listFilterFromQuery(query as ListQuery, context.ws);
      const workspaceWildcard = filter.workspace === '*';
      return registry
        .list(filter)
        .filter((r) => {
          const own = r.workspace === context.ws;
          if (r.visibility === 'unlisted') return own && includeUnlisted === true;
          if (workspaceWildcard && !own) return r.visibility === 'public';
          return canUse(r, context.ws);
        })
        .map((r) => r.info);
    }, ['query', 'include_unlisted', 'context']),

    get_service_info: withParamNames(async (serviceId: unknown, config: unknown, context: CallContext) => {
      if (serviceId === '~') return describeSelf();
      const record = await onBehalfOf(context, () => select(serviceId, config, context));
      return record.info;
    }, ['service_id', 'config', 'context']),

    get_service: withParamNames(async (serviceId: unknown, config: unknown, context: CallContext) => {
      if (serviceId === '~') return peer.describeService('default');
      return onBehalfOf(context, async () => {
        const record = await select(serviceId, config, context);
        const timeoutMs = clampTimeoutMs(asRecord(config).timeout, DEFAULT_GET_SERVICE_TIMEOUT_MS);
        const remote = await describe(record, timeoutMs);
        return { ...remote, id: record.id, config: { ...asRecord(remote.config), workspace: record.workspace } };
      });
    }, ['service_id', 'config', 'context']),

    subscribe: withParamNames((types: unknown, context: CallContext) => {
      const connection = clients.get(context.from);
      if (!connection) throw new MycelError('CONNECTION_CLOSED', `client "${context.from}" is not connected`);
      for (const type of eventTypes(types)) {
        if (connection.subscriptions.size >= MAX_SUBSCRIPTIONS && !connection.subscriptions.has(type)) {
          throw new MycelError('LIMIT_EXCEEDED', `too many subscriptions (limit ${MAX_SUBSCRIPTIONS})`);
        }
        connection.subscriptions.add(type);
      }
      return true;
    }, ['event_types', 'context']),

    unsubscribe: withParamNames((types: unknown, context: CallContext) => {
      const connection = clients.get(context.from);
      if (!connection) return true;
      for (const type of eventTypes(types)) connection.subscriptions.delete(type);
      return true;
    }, ['event_types', 'context']),

    list_clients: withParamNames((context: CallContext) => {
      return [...clients.values()]
        .filter((c) => c.workspace === context.ws)
        .map((c) => ({ id: c.peerId, user: { id: c.user.id, is_anonymous: c.user.is_anonymous } }));
    }, ['context']),

    ping: withParamNames(async (clientId: unknown, timeout: unknown, context: CallContext) => {
      if (typeof clientId !== 'string') throw new MycelError('BAD_MESSAGE', 'client id must be a string');
      const target = clientId.includes('/') ? clientId : `${context.ws}/${clientId}`;
      const timeoutMs = clampTimeoutMs(timeout, 5_000);
      return onBehalfOf(context, () => peer.call(target, 'services.built-in.ping', ['ping'], { timeoutMs, heartbeats: false }));
    }, ['client_id', 'timeout', 'context']),

    check_status: withParamNames(() => ({ status: 'ok' }), ['context']),
  };
  peer.addService(service);

  function describeSelf(): Record<string, unknown> {
    return { id: '~', name: service.name, type: service.type, description: service.description, config: service.config };
  }

  return {
    peer,
    peerId,
    user,
    removeClient(connection) {
      peer.forgetPeer(
        connection.peerId,
        new MycelError('CONNECTION_CLOSED', `peer "${connection.peerId}" disconnected`),
      );
      const removed = registry.removePeer(connection.peerId);
      for (const record of removed) {
        if (record.serviceId !== 'built-in') emit(record.workspace, 'service_removed', record.info);
      }
      emit(connection.workspace, 'client_disconnected', { id: connection.clientId, workspace: connection.workspace });
      logger.info({ client: connection.peerId, services: removed.length }, 'client removed');
    },
  };
}

/** Whether a caller in `workspace` may use (get, call) a service. */
function canUse(record: ServiceRecord, workspace: string): boolean {
  if (record.workspace === workspace) return true;
  if (record.visibility === 'public' || record.visibility === 'unlisted') return true;
  const authorized = (record.info.config as { authorized_workspaces?: unknown } | undefined)?.authorized_workspaces;
  return Array.isArray(authorized) && authorized.includes(workspace);
}

function recordFromInfo(
  info: unknown,
  context: CallContext,
  registry: Registry,
  maxServices: number,
): Omit<ServiceRecord, 'seq' | 'stats'> | undefined {
  if (info === null || typeof info !== 'object' || Array.isArray(info)) {
    throw new MycelError('BAD_MESSAGE', 'service info must be an object');
  }
  const given = info as Record<string, unknown>;
  if (typeof given.id !== 'string' || given.id === '') throw new MycelError('BAD_MESSAGE', 'service info needs an "id"');
  const from = context.from;
  const { workspace, clientId } = splitPeerId(from);
  const owned = ownedServiceId(given.id, from);
  const serviceId = owned.serviceId;
  const appId = owned.appId ?? (typeof given.app_id === 'string' && given.app_id ? given.app_id : '*');
  if (!/^[A-Za-z0-9_~.|#-]{1,256}$/.test(serviceId)) {
    throw new MycelError('BAD_MESSAGE', `invalid service id "${serviceId}"`);
  }
  const config = asRecord(given.config);
  // Callback interfaces are private to their client; they are never registered (as Hypha).
  if (serviceId.startsWith('_rintf_') || config._local_only === true) return undefined;
  const id = `${from}:${serviceId}`;
  // `built-in` is the client's own plumbing: it does not count against the limit.
  const count = registry.countForPeer(from) - (registry.get(`${from}:built-in`) ? 1 : 0);
  if (serviceId !== 'built-in' && !registry.get(id) && count >= maxServices) {
    throw new MycelError('LIMIT_EXCEEDED', `too many services for "${from}" (limit ${maxServices})`);
  }
  const visibility = VISIBILITIES.includes(config.visibility as ServiceVisibility)
    ? (config.visibility as ServiceVisibility)
    : 'protected';
  const user = context.user as { id?: unknown } | null;
  const stored: Record<string, unknown> = {
    id,
    name: typeof given.name === 'string' ? given.name : serviceId,
    type: typeof given.type === 'string' ? given.type : 'generic',
    description: typeof given.description === 'string' ? given.description : '',
    docs: typeof given.docs === 'string' ? given.docs : '',
    app_id: appId,
    config: { ...config, visibility, workspace, created_by: { id: typeof user?.id === 'string' ? user.id : 'anonymous' } },
    service_schema: given.service_schema ?? {},
  };
  if (packValue(stored).length > MAX_SERVICE_INFO_BYTES) {
    throw new MycelError('LIMIT_EXCEEDED', `service info of "${id}" is larger than ${MAX_SERVICE_INFO_BYTES} bytes`);
  }
  return { id, workspace, clientId, serviceId, appId, peerId: from, visibility, info: stored };
}

/**
 * Resolves `svc`, `client:svc` or `workspace/client:svc` (each with optional `@app`) against the
 * caller `from`; a prefix naming another client is refused.
 */
function ownedServiceId(id: string, from: string): { serviceId: string; appId: string | undefined } {
  let rest = id;
  const colon = rest.lastIndexOf(':');
  if (colon >= 0) {
    const owner = rest.slice(0, colon);
    if (owner !== from && owner !== from.slice(from.indexOf('/') + 1)) {
      throw new MycelError('PERMISSION_DENIED', `service "${id}" does not belong to "${from}"`);
    }
    rest = rest.slice(colon + 1);
  }
  const at = rest.indexOf('@');
  if (at < 0) return { serviceId: rest, appId: undefined };
  return { serviceId: rest.slice(0, at), appId: rest.slice(at + 1) || undefined };
}

function selectTimeoutMs(value: unknown): number {
  if (value === undefined || value === null) return DEFAULT_SELECT_TIMEOUT_MS;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0 || value > 600) {
    throw new MycelError('BAD_MESSAGE', 'select_timeout must be a number of seconds in (0, 600]');
  }
  return value * 1000;
}

function eventTypes(types: unknown): string[] {
  const list = typeof types === 'string' ? [types] : Array.isArray(types) ? types : undefined;
  if (!list || list.some((t) => typeof t !== 'string' || t === '' || t.length > 128)) {
    throw new MycelError('BAD_MESSAGE', 'event types must be a string or a list of strings (1 to 128 characters)');
  }
  return list as string[];
}

function asRecord(value: unknown): Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}
