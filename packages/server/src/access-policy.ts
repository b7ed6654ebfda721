/**
 * The access policy: who may see, use, own or broadcast to what. Every such decision of the hub
 * is made here, so the rules read in one place and security work has one place to change.
 */
import type { ServiceRecord } from './registry.js';

/** Whether a caller in `workspace` may use (get, call, probe) a service. */
export function mayUse(record: ServiceRecord, workspace: string): boolean {
  if (record.workspace === workspace) return true;
  if (record.visibility === 'public' || record.visibility === 'unlisted') return true;
  const authorized = (record.info.config as { authorized_workspaces?: unknown } | undefined)?.authorized_workspaces;
  return Array.isArray(authorized) && authorized.includes(workspace);
}

/** How a listing was asked for. */
export interface ListingScope {
  /** The caller asked for unlisted services too (only its own workspace's are shown). */
  includeUnlisted: boolean;
  /** The query spans every workspace (`*`): other workspaces show only their public services. */
  isAcrossWorkspaces: boolean;
}

/** Whether a caller in `workspace` sees a service in `list_services`. */
export function mayList(record: ServiceRecord, workspace: string, scope: ListingScope): boolean {
  const isOwn = record.workspace === workspace;
  if (record.visibility === 'unlisted') return isOwn && scope.includeUnlisted;
  if (scope.isAcrossWorkspaces && !isOwn) return record.visibility === 'public';
  return mayUse(record, workspace);
}

/**
 * Whether the client `peerId` owns the service named by an address's `owner` part (the
 * `workspace/client` or `client` written before `:`).
 */
export function isOwner(owner: string, peerId: string): boolean {
  return owner === peerId || owner === peerId.slice(peerId.indexOf('/') + 1);
}

/** Whether a client of `senderWorkspace` may broadcast an event to every client of `workspace`. */
export function mayBroadcastTo(senderWorkspace: string, workspace: string): boolean {
  return senderWorkspace === workspace;
}
