/**
 * Client-side selection: the SDK lists the instances of a service, probes them through the hub
 * with the same selection core the hub uses, and returns the id of the one chosen. Both ways give
 * the same answers on the same instances.
 */
import {
  DEFAULT_SELECT_TIMEOUT_MS,
  ownerOfServiceId,
  parseMode,
  parseServiceQuery,
  selectInstance,
  systemClock,
  type RpcPeer,
} from '@mycel/protocol';
import type { GetServiceOptions, ServiceInfo } from './types.js';

/** Calls a method of the hub's manager. */
export type ManagerCall = (method: string, args: unknown[]) => Promise<unknown>;

/** Chooses an instance of `query` with `options.mode`, probing from this client; returns its full id. */
export async function chooseOnClient(
  peer: RpcPeer,
  query: string,
  options: GetServiceOptions,
  workspace: string,
  manager: ManagerCall,
): Promise<string> {
  const address = parseServiceQuery(query, workspace);
  const mode = parseMode(options.mode, address.workspace);
  const listed = (await manager('list_services', [
    { workspace: address.workspace, client_id: address.clientId, service_id: address.serviceId, app_id: address.appId ?? '*' },
    true,
  ])) as ServiceInfo[];
  const timeoutMs = (options.select_timeout ?? DEFAULT_SELECT_TIMEOUT_MS / 1000) * 1000;
  const selection = await selectInstance(
    listed,
    mode,
    (info, ms) => {
      if (mode.kind !== 'select') return Promise.resolve(undefined);
      const owner = ownerOfServiceId(info.id);
      // An absolute deadline, as on the hub: a heartbeating probe must not outlive its round.
      return peer.call(owner, `services.${address.serviceId}.${mode.fn}`, [], { timeoutMs: ms, heartbeats: false });
    },
    { clock: systemClock, timeoutMs, describe: (info) => info.id, query },
  );
  return selection.candidate.id;
}
