/**
 * The workspace manager: an ordinary RPC peer inside the hub (address `manager-{hubId}` in the
 * pseudo-workspace `*`), built on the same engine as the SDK. Its service `default` is what
 * clients call; this file builds the peer and assembles the service from its concerns:
 * `registration.ts`, `discovery.ts`, `subscriptions.ts` and `workspace-clients.ts`.
 */
import { MycelError, RpcPeer, splitPeerId, type Clock, type ServiceDefinition, type UserInfo } from '@mycel/protocol';
import type { ClientConnection } from '../connection.js';
import type { WorkspaceStatus } from '@mycel/protocol';
import type { ResolvedHubOptions } from '../hub-options.js';
import type { Registry } from '../registry.js';
import type { Router } from '../router.js';
import type { VirtualTargets } from '../virtual-targets.js';
import { createCallBudget } from './call-budget.js';
import type { ManagerContext, SelectionObserver } from './context.js';
import { discoveryFunctions } from './discovery.js';
import { drainingFunctions } from './draining.js';
import { Drains, type DrainOutcome } from '../health/draining.js';
import { registrationFunctions } from './registration.js';
import { statusFunctions } from './status.js';
import { subscriptionFunctions } from './subscriptions.js';
import { workspaceClientFunctions } from './workspace-clients.js';

/** Options of {@link createManager}. */
export interface ManagerOptions {
  registry: Registry;
  router: Router;
  virtualTargets: VirtualTargets;
  clients: ReadonlyMap<string, ClientConnection>;
  /** The hub's options: `hubId`, `logger`, the manager's limits and timeouts. */
  options: ResolvedHubOptions;
  clock: Clock;
  /** Facts about the hub merged into the manager service's `config`. */
  serverInfo: Record<string, unknown>;
  /** Told of every selection, when metrics are on. */
  observer?: SelectionObserver | undefined;
  /** Told of every drain that ended, when metrics are on. */
  onDrained?: ((outcome: DrainOutcome) => void) | undefined;
  /** The status of a workspace, for `get_status`. */
  status(workspace: string, serviceId?: string): WorkspaceStatus;
}

/** The manager as the hub uses it. */
export interface Manager {
  readonly peer: RpcPeer;
  readonly peerId: string;
  readonly user: UserInfo;
  /** The manager's `default` service: its RPC surface, which the HTTP gateway calls in-process. */
  readonly service: ServiceDefinition;
  /** Called after a client's socket closed for good: drop its services and tell subscribers. */
  removeClient(connection: ClientConnection): void;
}

/** The manager's address on a hub: `manager-{hubId}` in the pseudo-workspace `*`. */
export function managerPeerId(hubId: string): string {
  return `*/manager-${hubId}`;
}

/** Builds the manager peer and its `default` service. */
export function createManager(managerOptions: ManagerOptions): Manager {
  const { registry, router, clients, options, clock, virtualTargets } = managerOptions;
  const logger = options.logger;
  const peerId = managerPeerId(options.hubId);
  const clientId = splitPeerId(peerId).clientId;
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
    // Each client's share is bounded (maxManagerCallsPerClient operations, each at most a probe
    // round); this only has to hold all of them.
    maxPendingCalls: 1_000_000,
    logger,
    // Chunked messages reassembled here are bounded like frames (the router checks those).
    decodeBounds: { maxBodyBytes: options.maxManagerBodyBytes, maxBodyValues: options.maxManagerBodyValues },
  });

  const emit = (workspace: string, type: string, data: unknown) => router.broadcastEvent(workspace, type, data);
  const drains = new Drains<ClientConnection>({
    registry,
    whenIdle: (connection, timeoutMs) => router.whenIdle(connection, timeoutMs),
    inFlightTo: (connection) => router.inFlightTo(connection),
    servicesChanged: () => router.servicesChanged(),
    removed: (record) => emit(record.workspace, 'service_removed', record.info),
    drained: managerOptions.onDrained,
    logger,
  });
  const ctx: ManagerContext = {
    registry,
    virtualTargets,
    servicesChanged: () => router.servicesChanged(),
    clients,
    options,
    logger,
    clock,
    peer,
    emit,
    drains,
    onBehalfOf: createCallBudget(options.maxManagerCallsPerClient, (peerId) => !clients.get(peerId)?.isOpen),
    observer: managerOptions.observer,
    status: managerOptions.status,
  };

  const config = { visibility: 'public' as const, require_context: true, ...managerOptions.serverInfo };
  const about = {
    id: 'default',
    name: 'Mycel workspace manager',
    type: 'workspace-manager',
    description: 'Registers, lists, finds and selects services; subscribes to events.',
  };
  const describeSelf = () => ({ id: '~', name: about.name, type: about.type, description: about.description, config });
  const clientFunctions = workspaceClientFunctions(ctx);
  const service: ServiceDefinition = {
    ...about,
    config,
    echo: clientFunctions.echo,
    log: clientFunctions.log,
    ...registrationFunctions(ctx),
    ...discoveryFunctions(ctx, describeSelf),
    ...subscriptionFunctions(ctx),
    list_clients: clientFunctions.list_clients,
    ping: clientFunctions.ping,
    check_status: clientFunctions.check_status,
    ...statusFunctions(ctx),
    ...drainingFunctions(ctx),
  };
  peer.addService(service);

  return {
    peer,
    peerId,
    user,
    service,
    removeClient(connection) {
      peer.forgetPeer(connection.peerId, new MycelError('CONNECTION_CLOSED', `peer "${connection.peerId}" disconnected`));
      const removed = registry.removePeer(connection.peerId);
      if (removed.length > 0) router.servicesChanged();
      for (const record of removed) {
        if (record.serviceId !== 'built-in') emit(record.workspace, 'service_removed', record.info);
      }
      emit(connection.workspace, 'client_disconnected', { id: connection.clientId, workspace: connection.workspace });
      logger.info({ client: connection.peerId, services: removed.length }, 'client removed');
    },
  };
}
