/**
 * Event types. The hub broadcasts system events to subscribers; clients act on them (hypha-rpc,
 * for one, rejects pending calls on `client_disconnected`), and SDKs raise lifecycle events of
 * their own. None of these may come from another client.
 */

/** Events the hub sends to subscribers. */
export const SYSTEM_EVENT_TYPES = [
  'service_added',
  'service_removed',
  'service_updated',
  'client_connected',
  'client_disconnected',
  'client_updated',
  'workspace_loaded',
  'workspace_deleted',
  'workspace_changed',
  'workspace_ready',
  'workspace_unloaded',
  'workspace_status_changed',
] as const;

/** Lifecycle events raised locally by SDKs (Mycel's and hypha-rpc's), never sent by peers. */
export const LIFECYCLE_EVENT_TYPES = [
  'connected',
  'disconnected',
  'reconnecting',
  'reconnected',
  'closed',
  'services_registered',
  'services_registration_failed',
  'manager_refreshed',
  'remote_client_disconnected',
  'peer_not_found',
  'force-exit',
  'error',
  'method',
] as const;

/** Event types a client may not send: the hub refuses them. */
export const RESERVED_EVENT_TYPES: ReadonlySet<string> = new Set([...SYSTEM_EVENT_TYPES, ...LIFECYCLE_EVENT_TYPES]);
