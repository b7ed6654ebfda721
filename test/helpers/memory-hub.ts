/**
 * A hub stand-in in memory, for unit tests of the SDK's session logic: a {@link MemoryRouter},
 * a manager peer with the few manager functions the SDK calls at connect time and for services
 * (`register_service`, `unregister_service`, `get_service`, `subscribe`, `unsubscribe`), and an
 * `openTransport` that hands each new client an in-memory {@link Transport} to it.
 */
import type { OpenTransport, Transport, TransportMessage } from '@mycel/client';
import { withParamNames, type CallContext, type ConnectionInfo } from '@mycel/protocol';
import { MemoryRouter } from './memory-transport.js';

/** One transport the memory hub handed out. */
export interface MemoryLink {
  readonly peerId: string;
  /** The handshake request it came with. */
  readonly reconnectionToken: string | undefined;
  /** Sends a text (control) frame from the hub. */
  sendText(message: object): void;
  /** Closes it from the hub's side, as a dropped socket would. */
  drop(code?: number, reason?: string): void;
}

/** An in-memory hub. */
export interface MemoryHub {
  readonly openTransport: OpenTransport;
  /** Every transport opened, in order. */
  readonly links: MemoryLink[];
  /** Registered service ids, by full id. */
  readonly services: Map<string, Record<string, unknown>>;
}

const MANAGER = '*/manager-memory';

/** Starts a memory hub. */
export function startMemoryHub(): MemoryHub {
  const router = new MemoryRouter();
  const services = new Map<string, Record<string, unknown>>();
  const manager = router.addPeer({
    workspace: '*',
    clientId: 'manager-memory',
    // As the hub's manager: calls carry the target's workspace, so protected services accept them.
    stamp: (to) => ({ ws: to.split('/')[0] }),
  });
  manager.addService({
    id: 'default',
    config: { visibility: 'public', require_context: true },
    register_service: withParamNames((info: Record<string, unknown>, context: CallContext) => {
      const given = String(info.id);
      const id = given.includes(':') ? given : `${context.from}:${given}`;
      const stored = { ...info, id };
      services.set(id, stored);
      return stored;
    }, ['service', 'context']),
    unregister_service: withParamNames((id: string, context: CallContext) => {
      services.delete(`${context.from}:${id}`);
    }, ['service_id', 'context']),
    get_service: withParamNames(async (query: string, _config: unknown, context: CallContext) => {
      const id = query.includes('/') ? query : `${context.ws}/${query}`;
      const owner = id.slice(0, id.lastIndexOf(':'));
      const remote = await manager.getRemoteService(owner, id.slice(id.lastIndexOf(':') + 1));
      return { ...remote, id };
    }, ['service_id', 'config', 'context']),
    subscribe: withParamNames(() => true, ['event_types', 'context']),
    unsubscribe: withParamNames(() => true, ['event_types', 'context']),
  });

  const links: MemoryLink[] = [];
  const openTransport: OpenTransport = async (request) => {
    const workspace = request.workspace ?? 'ws';
    const token = `token-${request.client_id}-${links.length}`;
    const peerId = `${workspace}/${request.client_id}`;
    let onMessage: (message: TransportMessage) => void = () => {};
    let onClose: (code: number, reason: string) => void = () => {};
    let isClosed = false;
    const endpoint = router.attach(peerId, (bytes) => {
      if (!isClosed) onMessage(bytes);
    });
    const close = (code: number, reason: string) => {
      if (isClosed) return;
      isClosed = true;
      endpoint.detach();
      queueMicrotask(() => onClose(code, reason));
    };
    const transport: Transport = {
      send(message) {
        if (isClosed) throw new Error('closed');
        if (typeof message !== 'string') endpoint.send(message);
      },
      onMessage: (handler) => {
        onMessage = handler;
      },
      onClose: (handler) => {
        onClose = handler;
      },
      close: (code = 1000, reason = 'client closed') => close(code, reason),
    };
    links.push({
      peerId,
      reconnectionToken: request.reconnection_token,
      sendText: (message) => onMessage(JSON.stringify(message)),
      drop: (code = 1006, reason = '') => close(code, reason),
    });
    const info: ConnectionInfo = {
      type: 'connection_info',
      hypha_version: 'memory',
      public_base_url: 'memory://hub',
      local_base_url: 'memory://hub',
      manager_id: MANAGER.slice(2),
      workspace,
      client_id: request.client_id,
      user: {
        id: `user-${request.client_id}`,
        roles: ['anonymous'],
        is_anonymous: true,
        email: null,
        parent: null,
        scope: { current_workspace: workspace, workspaces: { [workspace]: 'rw' }, client_id: request.client_id, extra_scopes: [] },
        expires_at: null,
      },
      reconnection_token: token,
      reconnection_token_life_time: 3600,
      announcement: null,
    };
    return { transport, info };
  };
  return { openTransport, links, services };
}
