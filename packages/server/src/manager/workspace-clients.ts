/**
 * The manager's functions about the workspace and its clients: `list_clients`, `ping`, and the
 * plumbing calls `echo`, `log` and `check_status`.
 */
import { MycelError, resolvePeerId, withParamNames, type CallContext } from '@mycel/protocol';
import { clampTimeoutMs, type ManagerContext, type ManagerFunctions } from './context.js';

/** The client functions of the manager's service. */
export function workspaceClientFunctions(ctx: ManagerContext): ManagerFunctions {
  const { clients, logger, peer, options } = ctx;
  return {
    echo: withParamNames((msg: unknown) => msg, ['msg', 'context']),

    log: withParamNames((msg: unknown, context: CallContext) => {
      logger.info({ client: context.from, msg: String(msg).slice(0, 2000) }, 'client log');
    }, ['msg', 'context']),

    list_clients: withParamNames((context: CallContext) => {
      return [...clients.values()]
        .filter((c) => c.workspace === context.ws)
        .map((c) => ({ id: c.peerId, user: { id: c.user.id, is_anonymous: c.user.is_anonymous } }));
    }, ['context']),

    ping: withParamNames(async (clientId: unknown, timeout: unknown, context: CallContext) => {
      if (typeof clientId !== 'string') throw new MycelError('BAD_MESSAGE', 'client id must be a string');
      const target = resolvePeerId(clientId, context.ws);
      const timeoutMs = clampTimeoutMs(timeout, options.managerPingTimeoutMs, options);
      return ctx.onBehalfOf(context, () => peer.call(target, 'services.built-in.ping', ['ping'], { timeoutMs, heartbeats: false }));
    }, ['client_id', 'timeout', 'context']),

    check_status: withParamNames(() => ({ status: 'ok' }), ['context']),
  };
}
