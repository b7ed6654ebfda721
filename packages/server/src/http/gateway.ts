/**
 * The HTTP gateway: how an HTTP request reaches services. Discovery (list, info, selection by
 * `_mode`) runs the manager's own RPC functions with the request's workspace as the caller's. The
 * call itself is made by an in-process RPC peer that is a client of that workspace,
 * `{ws}/http-{hubId}`: its frames go through the router like any client's (in-flight limits,
 * instance state, instant failure when the callee disconnects), and the callee sees an anonymous
 * caller of its workspace, never the manager's identity.
 */
import {
  isMethodDescriptor,
  MycelError,
  RpcPeer,
  splitPeerId,
  type CallContext,
  type Clock,
  type PeerLogger,
  type ServiceDefinition,
  type UserInfo,
} from '@mycel/protocol';
import type { WebSocket } from 'ws';
import { ClientConnection } from '../connection.js';
import { anonymousUser } from '../handshake.js';

/** Workspaces the gateway keeps a connection in, at most. */
const MAX_GATEWAY_WORKSPACES = 1024;

/** One function call asked for over HTTP. */
export interface GatewayCall {
  workspace: string;
  /** The service query relative to `workspace`: `svc`, `client:svc`, `svc@app`. */
  serviceId: string;
  /** The function, dotted for nested members: `add`, `math.add`. */
  functionPath: string;
  args: unknown[];
  kwargs: Record<string, unknown> | undefined;
  /** `?_mode=`: any mode `getService` takes. */
  mode: string | undefined;
}

/** What the HTTP routes need from the hub. */
export interface ServiceGateway {
  /** Services of `workspace` a caller in it may see (ids without the workspace, as Hypha). */
  listServices(workspace: string): Promise<Record<string, unknown>[]>;
  /** The info of the instance `mode` picks. */
  serviceInfo(workspace: string, serviceId: string, mode: string | undefined): Promise<Record<string, unknown>>;
  /** Picks an instance by `mode` and calls the function on it, within the gateway's timeout. */
  call(request: GatewayCall): Promise<unknown>;
}

/** Options of {@link createHttpGateway}. */
export interface HttpGatewayOptions {
  hubId: string;
  /** The manager's address and its `default` service (its RPC surface). */
  manager: { peerId: string; service: ServiceDefinition };
  /** The hub's connected clients: the gateway adds its connection per workspace there. */
  clients: Map<string, ClientConnection>;
  /** Routes a frame the gateway sends as `sender` (the router's `routeFromClient`). */
  route: (sender: ClientConnection, frame: Uint8Array) => void;
  clock: Clock;
  logger: PeerLogger;
  /** Longest call: an absolute deadline (heartbeats do not extend it). */
  callTimeoutMs: number;
}

/** The gateway as the hub wires it. */
export interface HttpGateway extends ServiceGateway {
  /** Fails every pending call and leaves the clients table (the hub is closing). */
  close(): void;
}

/** Builds the gateway. */
export function createHttpGateway(options: HttpGatewayOptions): HttpGateway {
  const { clients, manager } = options;
  const clientId = `http-${options.hubId}`;
  const userFor = (workspace: string): UserInfo => anonymousUser(`http-anonymous`, workspace, clientId);
  /** The gateway's connection in each workspace it called into. */
  const connections = new Map<string, ClientConnection>();
  let isClosed = false;
  const peer = new RpcPeer({
    workspace: '*',
    clientId,
    // The router stamps `from`, `ws` and `user` from the connection, as for any client.
    send: (frame, meta) => options.route(connectionIn(splitPeerId(meta.to).workspace), frame),
    clock: options.clock,
    methodTimeoutMs: options.callTimeoutMs,
    logger: options.logger,
    builtIn: false,
  });

  function connectionIn(workspace: string): ClientConnection {
    let connection = connections.get(workspace);
    if (connection && clients.get(connection.peerId) === connection) return connection;
    if (isClosed) throw new MycelError('LIMIT_EXCEEDED', 'the hub is shutting down');
    if (connections.size >= MAX_GATEWAY_WORKSPACES) {
      throw new MycelError('LIMIT_EXCEEDED', `HTTP calls reach at most ${MAX_GATEWAY_WORKSPACES} workspaces`);
    }
    const peerId = `${workspace}/${clientId}`;
    // A WebSocket client that took the gateway's id first keeps it; HTTP calls into its workspace fail.
    if (clients.has(peerId)) throw new MycelError('LIMIT_EXCEEDED', `client id "${peerId}" is taken: HTTP calls into "${workspace}" are unavailable`);
    // Frames for the gateway are handed to its peer on a later microtask: the router may answer
    // (a refusal) while the peer is still sending.
    const socket = inProcessSocket((frame) => {
      // Only binary frames are RPC; the hub's text frames (control messages) mean nothing here.
      if (frame instanceof Uint8Array) queueMicrotask(() => peer.handleFrame(frame));
    });
    connection = new ClientConnection(socket, workspace, clientId, userFor(workspace), Number.MAX_SAFE_INTEGER, () => {});
    connections.set(workspace, connection);
    clients.set(peerId, connection);
    return connection;
  }

  // The manager's call budget follows its caller's connection: the gateway's exists first.
  const context = (workspace: string): CallContext => (connectionIn(workspace), {
    from: `${workspace}/${clientId}`,
    to: manager.peerId,
    ws: workspace,
    user: userFor(workspace),
  });
  const managerFunction = (name: string) => {
    const fn = manager.service[name];
    if (typeof fn !== 'function') throw new MycelError('INTERNAL', `the manager has no "${name}"`);
    return fn as (...args: unknown[]) => unknown;
  };

  return {
    async listServices(workspace) {
      const services = (await managerFunction('list_services')(workspace, false, context(workspace))) as Record<string, unknown>[];
      // As Hypha: ids relative to the workspace of the URL.
      return services.map((info) => ({ ...info, id: String(info.id).slice(String(info.id).indexOf('/') + 1) }));
    },
    async serviceInfo(workspace, serviceId, mode) {
      return (await managerFunction('get_service_info')(serviceId, { mode }, context(workspace))) as Record<string, unknown>;
    },
    async call(request) {
      const { workspace, serviceId, functionPath } = request;
      const config = { mode: request.mode, timeout: options.callTimeoutMs / 1000 };
      const service = (await managerFunction('get_service')(serviceId, config, context(workspace))) as Record<string, unknown>;
      const member = memberAt(service, functionPath);
      if (member === undefined) {
        throw new MycelError('METHOD_NOT_FOUND', `function "${functionPath}" not found in service "${serviceId}"`);
      }
      let target: string;
      let method: string;
      if (isMethodDescriptor(member)) {
        // A balanced service's methods point at its virtual target, which the router resolves
        // per call. Only a target in the URL's workspace is called: the gateway speaks there only.
        target = member._rtarget.includes('/') ? member._rtarget : `${workspace}/${member._rtarget}`;
        method = member._rmethod;
        if (!target.startsWith(`${workspace}/`)) {
          throw new MycelError('PERMISSION_DENIED', `function "${functionPath}" of "${serviceId}" points outside workspace "${workspace}"`);
        }
      } else if (typeof member === 'function') {
        const instance = instanceOf(String(service.id));
        target = instance.target;
        method = `services.${instance.localId}.${functionPath}`;
      } else {
        // A plain value is returned as it is (Hypha does the same).
        return member;
      }
      return peer.call(target, method, request.args, {
        timeoutMs: options.callTimeoutMs,
        heartbeats: false,
        ...(request.kwargs ? { kwargs: request.kwargs } : {}),
      });
    },
    close() {
      isClosed = true;
      peer.close(new MycelError('LIMIT_EXCEEDED', 'the hub is shutting down'));
      for (const connection of connections.values()) {
        connection.markClosed();
        if (clients.get(connection.peerId) === connection) clients.delete(connection.peerId);
      }
      connections.clear();
    },
  };
}

/**
 * The socket of an in-process connection: what the router writes to it goes to `deliver`. Only
 * the members `ClientConnection` uses exist.
 */
function inProcessSocket(deliver: (frame: unknown) => void): WebSocket {
  const socket = {
    OPEN: 1,
    readyState: 1,
    bufferedAmount: 0,
    send: (data: unknown) => deliver(data),
    close: () => {
      socket.readyState = 3;
    },
    terminate: () => {
      socket.readyState = 3;
    },
  };
  return socket as unknown as WebSocket;
}

/** The member at a dotted path, or undefined. Only own keys: `toString` is not a function of a service. */
function memberAt(service: Record<string, unknown>, path: string): unknown {
  let value: unknown = service;
  for (const key of path.split('.')) {
    if (value === null || typeof value !== 'object' || !Object.hasOwn(value, key)) return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}

/** `ws/client:svc` into the peer to call and the service id on it. */
function instanceOf(fullId: string): { target: string; localId: string } {
  const colon = fullId.indexOf(':', fullId.indexOf('/') + 1);
  if (colon < 0) throw new MycelError('INTERNAL', `unexpected service id "${fullId}"`);
  return { target: fullId.slice(0, colon), localId: fullId.slice(colon + 1) };
}
