/**
 * The query forms of `list_services`: nothing (the caller's workspace), a string
 * (`ws`, `*`, `ws/svc`, `client:svc`, `ws/client:svc`) or a dict of filters.
 */
import { badQuery, MycelError, splitServiceAddress } from '@mycel/protocol';
import type { ListFilter } from './registry.js';

/** What `list_services` accepts as its query. */
export type ListQuery = string | Record<string, unknown> | null | undefined;

const DICT_KEYS: Record<string, keyof ListFilter> = {
  workspace: 'workspace',
  client_id: 'clientId',
  service_id: 'serviceId',
  id: 'serviceId',
  type: 'type',
  visibility: 'visibility',
  app_id: 'appId',
};

/** Turns a `list_services` query into a registry filter; `workspace` defaults to the caller's. */
export function listFilterFromQuery(query: ListQuery, callerWorkspace: string): ListFilter {
  if (query === null || query === undefined || query === '') return { workspace: callerWorkspace };
  if (typeof query === 'string') return fromString(query, callerWorkspace);
  if (typeof query !== 'object' || Array.isArray(query)) {
    throw new MycelError('BAD_MESSAGE', 'list_services query must be a string or an object');
  }
  const filter: ListFilter = { workspace: callerWorkspace };
  for (const [key, value] of Object.entries(query)) {
    const field = DICT_KEYS[key];
    if (!field) {
      const allowed = Object.keys(DICT_KEYS).map((k) => `"${k}"`).join(', ');
      throw new MycelError('BAD_MESSAGE', `unknown list_services filter "${key}": expected ${allowed}`);
    }
    if (value === null || value === undefined) continue;
    if (typeof value !== 'string') throw new MycelError('BAD_MESSAGE', `list_services filter "${key}" must be a string`);
    filter[field] = value;
  }
  return filter;
}

function fromString(query: string, callerWorkspace: string): ListFilter {
  const parts = splitServiceAddress(query);
  if (!parts) throw badQuery(query);
  // A bare word names a workspace, as in Hypha.
  if (parts.workspace === undefined && parts.clientId === undefined) return { workspace: query };
  // Empty parts are wildcards: `:svc` is any client's `svc`, `svc@` any app's.
  const filter: ListFilter = { workspace: parts.workspace ?? callerWorkspace };
  if (parts.clientId !== undefined) filter.clientId = parts.clientId || '*';
  if (parts.appId !== undefined) filter.appId = parts.appId || '*';
  if (parts.serviceId) filter.serviceId = parts.serviceId;
  return filter;
}
