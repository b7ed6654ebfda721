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
 * Parses a service query. A missing workspace is `defaultWorkspace`; a missing client is `*`.
 * Throws `BAD_MESSAGE` when the query has more than one `/`, `:` or `@`, or an empty part.
 */
export function parseServiceQuery(query: string, defaultWorkspace: string): ServiceAddress {
  let rest = query;
  let appId: string | undefined;
  const at = rest.split('@');
  if (at.length > 2) throw badQuery(query);
  if (at.length === 2) {
    appId = at[1];
    rest = at[0] ?? '';
  }
  let workspace = defaultWorkspace;
  const slash = rest.split('/');
  if (slash.length > 2) throw badQuery(query);
  if (slash.length === 2) {
    workspace = slash[0] ?? '';
    rest = slash[1] ?? '';
  }
  let clientId = '*';
  const colon = rest.split(':');
  if (colon.length > 2) throw badQuery(query);
  if (colon.length === 2) {
    clientId = colon[0] ?? '';
    rest = colon[1] ?? '';
  }
  const serviceId = rest;
  if (!workspace || !clientId || !serviceId || appId === '') throw badQuery(query);
  return { workspace, clientId, serviceId, appId };
}

/** Formats a full service id: `workspace/client:service`, plus `@app` when given. */
export function formatServiceId(address: Omit<ServiceAddress, 'appId'> & { appId?: string | undefined }): string {
  const base = `${address.workspace}/${address.clientId}:${address.serviceId}`;
  return address.appId && address.appId !== '*' ? `${base}@${address.appId}` : base;
}

/** Splits `workspace/client` into its parts. */
export function splitPeerId(peerId: string): { workspace: string; clientId: string } {
  const slash = peerId.indexOf('/');
  if (slash < 0) return { workspace: '', clientId: peerId };
  return { workspace: peerId.slice(0, slash), clientId: peerId.slice(slash + 1) };
}

function badQuery(query: string): MycelError {
  return new MycelError(
    'BAD_MESSAGE',
    `invalid service id "${query}": expected [workspace/][client:]service[@app]`,
  );
}
