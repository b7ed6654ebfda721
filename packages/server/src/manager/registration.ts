/**
 * Registration: the manager's `register_service` and `unregister_service`. A provider's service
 * info becomes a registry record (its id resolved against the caller, its config checked and
 * bounded); every change is announced to the workspace.
 */
import {
  MycelError,
  packValue,
  splitPeerId,
  splitServiceAddress,
  withParamNames,
  type CallContext,
} from '@mycel/protocol';
import { isOwner } from '../access-policy.js';
import { instanceBalancingFrom } from '../balancing/instance-config.js';
import type { NewServiceRecord, ServiceVisibility } from '../registry.js';
import { asRecord, type ManagerContext, type ManagerFunctions } from './context.js';

const VISIBILITIES: readonly ServiceVisibility[] = ['protected', 'public', 'unlisted'];
const SERVICE_ID = /^[A-Za-z0-9_~.|#-]{1,256}$/;

/** The registration functions of the manager's service. */
export function registrationFunctions(ctx: ManagerContext): ManagerFunctions {
  const { registry, logger } = ctx;
  // The events a registration causes count against the rate of the client that caused them.
  const emit = (context: CallContext, workspace: string, type: string, data: unknown): void => {
    const copies = ctx.emit(workspace, type, data);
    if (copies > 0) ctx.clients.get(context.from)?.rate?.charge(copies);
  };
  return {
    register_service: withParamNames((info: unknown, context: CallContext) => {
      const connection = ctx.clients.get(context.from);
      if (connection && ctx.drains.isDraining(connection)) {
        throw new MycelError('DRAINING', `client "${context.from}" is draining: it may register no service`);
      }
      const record = recordFromInfo(info, context, ctx);
      if (!record) return info;
      const { record: stored, replaced } = registry.register(record);
      logger.info({ service: stored.id }, 'service registered');
      ctx.servicesChanged();
      if (stored.serviceId === 'built-in') {
        if (!replaced) emit(context, stored.workspace, 'client_connected', { id: stored.clientId, workspace: stored.workspace });
      } else {
        if (replaced) emit(context, stored.workspace, 'service_removed', replaced.info);
        emit(context, stored.workspace, 'service_added', stored.info);
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
      ctx.servicesChanged();
      if (removed.serviceId === 'built-in') {
        emit(context, removed.workspace, 'client_disconnected', { id: removed.clientId, workspace: removed.workspace });
      } else {
        emit(context, removed.workspace, 'service_removed', removed.info);
      }
    }, ['service_id', 'context']),
  };
}

function recordFromInfo(info: unknown, context: CallContext, ctx: ManagerContext): NewServiceRecord | undefined {
  const { registry } = ctx;
  const { maxServicesPerClient, maxServiceInfoBytes } = ctx.options;
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
  if (!SERVICE_ID.test(serviceId)) throw new MycelError('BAD_MESSAGE', `invalid service id "${serviceId}"`);
  const config = asRecord(given.config);
  // Callback interfaces are private to their client; they are never registered (as Hypha).
  if (serviceId.startsWith('_rintf_') || config._local_only === true) return undefined;
  const id = `${from}:${serviceId}`;
  // `built-in` is the client's own plumbing: it does not count against the limit.
  const count = registry.countForPeer(from) - (registry.get(`${from}:built-in`) ? 1 : 0);
  if (serviceId !== 'built-in' && !registry.get(id) && count >= maxServicesPerClient) {
    throw new MycelError('LIMIT_EXCEEDED', `too many services for "${from}" (limit ${maxServicesPerClient})`);
  }
  // Checked before anything is stored: an ill-typed field refuses the registration.
  const balancing = instanceBalancingFrom(config);
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
  if (packValue(stored).length > maxServiceInfoBytes) {
    throw new MycelError('LIMIT_EXCEEDED', `service info of "${id}" is larger than ${maxServiceInfoBytes} bytes`);
  }
  return { id, workspace, clientId, serviceId, appId, peerId: from, visibility, info: stored, balancing };
}

/**
 * Resolves `svc`, `client:svc` or `workspace/client:svc` (each with optional `@app`) against the
 * caller `from`; a prefix naming another client is refused.
 */
function ownedServiceId(id: string, from: string): { serviceId: string; appId: string | undefined } {
  const parts = splitServiceAddress(id);
  // A workspace with no client (`ws/svc`) names no owner: not a service id one may register.
  if (!parts || (parts.workspace !== undefined && parts.clientId === undefined)) {
    throw new MycelError('BAD_MESSAGE', `invalid service id "${id}"`);
  }
  if (parts.clientId !== undefined) {
    const owner = parts.workspace === undefined ? parts.clientId : `${parts.workspace}/${parts.clientId}`;
    if (!isOwner(owner, from)) throw new MycelError('PERMISSION_DENIED', `service "${id}" does not belong to "${from}"`);
  }
  return { serviceId: parts.serviceId, appId: parts.appId || undefined };
}
