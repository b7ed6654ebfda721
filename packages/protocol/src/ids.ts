/**
 * Addressing. A peer is `workspace/client_id`; a service is `workspace/client_id:service_id@app_id`.
 * Queries may leave parts out: `svc`, `ws/svc`, `client:svc`, `ws/client:svc`, each with `@app`.
 */
import { MycelError } from './errors.js';

/** A service query with its parts resolved. `clientId` is `*` when the query names none. */
export interface ServiceAddress {
  workspace: string;
  clientId: string;
  serviceId: string;
  appId: string | undefined;
}

/** Characters allowed in workspace, client and service ids. */
const NAME = /^[A-Za-z0-9_.~*-][A-Za-z0-9_.~*|#-]*$/;

/** Whether `value` may be used as a client id, workspace or service id. */
export function isValidName(value: string): boolean {
  return value.length > 0 && value.length <= 256 && NAME.test(value);
}

/**
 * The parts of a service address as written, `[workspace/][client:]service[@app]`: a part that
 * is absent is `undefined`, a part that is present but empty is `""`.
 */
export interface ServiceAddressParts {
  workspace: string | undefined;
  clientId: string | undefined;
  serviceId: string;
  appId: string | undefined;
}

/**
 * The one reader of the service-address grammar `[workspace/][client:]service[@app]`. It only
 * splits; each caller applies its own defaults and checks. Undefined when a separator appears
 * more than once.
 */
export function splitServiceAddress(text: string): ServiceAddressParts | undefined {
  const at = text.indexOf('@');
  if (at >= 0 && text.indexOf('@', at + 1) >= 0) return undefined;
  const head = at >= 0 ? text.slice(0, at) : text;
  const slash = head.indexOf('/');
  if (slash >= 0 && head.indexOf('/', slash + 1) >= 0) return undefined;
  const rest = slash >= 0 ? head.slice(slash + 1) : head;
  const colon = rest.indexOf(':');
  if (colon >= 0 && rest.indexOf(':', colon + 1) >= 0) return undefined;
  return {
    workspace: slash >= 0 ? head.slice(0, slash) : undefined,
    clientId: colon >= 0 ? rest.slice(0, colon) : undefined,
    serviceId: colon >= 0 ? rest.slice(colon + 1) : rest,
    appId: at >= 0 ? text.slice(at + 1) : undefined,
  };
}

/**
 * Parses a service query. A missing workspace is `defaultWorkspace`; a missing client is `*`.
 * Throws `BAD_MESSAGE` when the query has more than one `/`, `:` or `@`, or an empty part.
 */
export function parseServiceQuery(query: string, defaultWorkspace: string): ServiceAddress {
  const parts = splitServiceAddress(query);
  if (!parts) throw badQuery(query);
  const { workspace = defaultWorkspace, clientId = '*', serviceId, appId } = parts;
  if (!workspace || !clientId || !serviceId || appId === '') throw badQuery(query);
  return { workspace, clientId, serviceId, appId };
}

/** Formats a full service id: `workspace/client:service`, plus `@app` when given. */
export function formatServiceId(address: Omit<ServiceAddress, 'appId'> & { appId?: string | undefined }): string {
  const base = `${address.workspace}/${address.clientId}:${address.serviceId}`;
  return address.appId && address.appId !== '*' ? `${base}@${address.appId}` : base;
}

/** The full peer id `to` names: `workspace/client` as it is, a bare client id in `workspace`. */
export function resolvePeerId(to: string, workspace: string): string {
  return to.includes('/') ? to : `${workspace}/${to}`;
}

/** The peer that owns a full service id `workspace/client:service`: `workspace/client`. */
export function ownerOfServiceId(serviceId: string): string {
  const parts = splitServiceAddress(serviceId);
  if (!parts || parts.workspace === undefined || parts.clientId === undefined) throw badQuery(serviceId);
  return `${parts.workspace}/${parts.clientId}`;
}

/** Splits `workspace/client` into its parts. */
export function splitPeerId(peerId: string): { workspace: string; clientId: string } {
  const slash = peerId.indexOf('/');
  if (slash < 0) return { workspace: '', clientId: peerId };
  return { workspace: peerId.slice(0, slash), clientId: peerId.slice(slash + 1) };
}

/** The error of a service id that does not follow the grammar. */
export function badQuery(query: string): MycelError {
  return new MycelError(
    'BAD_MESSAGE',
    `invalid service id "${query}": expected [workspace/][client:]service[@app]`,
  );
}
