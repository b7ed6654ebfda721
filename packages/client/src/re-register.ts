/**
 * After each (re)connection: register `built-in` and every local service with the hub, then
 * restore the event subscriptions. A service the hub refuses is reported, not fatal; `built-in`
 * is (without it nobody can reach this client).
 */
import type { RpcPeer } from '@mycel/protocol';
import type { ClientLogger } from './options.js';

/** Calls a function of the hub's manager. */
export type ManagerCaller = (method: string, args: unknown[]) => Promise<unknown>;

/** What a re-registration did (the payload of the `services_registered` event). */
export interface RegistrationSummary {
  total: number;
  registered: number;
  failed: string[];
}

/** Registers every service of `peer` and subscribes to `subscriptions` again. */
export async function registerAll(
  peer: RpcPeer,
  callManager: ManagerCaller,
  subscriptions: ReadonlySet<string>,
  log: ClientLogger,
): Promise<RegistrationSummary> {
  const failed: string[] = [];
  const services = peer.listServices();
  for (const service of services) {
    try {
      await callManager('register_service', [peer.serviceInfo(service.id)]);
    } catch (error) {
      if (service.id === 'built-in') throw error;
      failed.push(service.id);
      log.warn?.({ service: service.id, err: String(error) }, 're-registration failed');
    }
  }
  if (subscriptions.size > 0) {
    // A refused subscription must not keep the client from coming back: log it and go on.
    await callManager('subscribe', [[...subscriptions]]).catch((error: unknown) =>
      log.warn?.({ events: [...subscriptions], err: String(error) }, 're-subscription failed'),
    );
  }
  return { total: services.length, registered: services.length - failed.length, failed };
}
