/**
 * The official hypha-rpc JavaScript client, loaded for interop tests. Node 20 has no global
 * WebSocket, so the `ws` implementation is installed first (as hypha-rpc's docs require).
 */
import { WebSocket } from 'ws';

/** The subset of hypha-rpc's `connectToServer` result the tests use. */
export interface HyphaApi {
  config: Record<string, unknown>;
  registerService(service: Record<string, unknown>, options?: Record<string, unknown>): Promise<{ id: string }>;
  unregisterService(id: string): Promise<void>;
  getService(query: string, config?: Record<string, unknown>): Promise<Record<string, (...args: unknown[]) => Promise<unknown>>>;
  getServiceInfo(query: string, config?: Record<string, unknown>): Promise<Record<string, unknown>>;
  listServices(query?: unknown): Promise<Array<Record<string, unknown>>>;
  echo(value: unknown): Promise<unknown>;
  subscribe(types: string | string[]): Promise<unknown>;
  on(event: string, handler: (message: Record<string, unknown>) => void): void;
  off(event: string, handler?: (message: Record<string, unknown>) => void): void;
  emit(message: Record<string, unknown>): Promise<void>;
  disconnect(): Promise<void>;
  [key: string]: unknown;
}

let loaded: Promise<{ connectToServer: (config: Record<string, unknown>) => Promise<HyphaApi> }> | undefined;

/** Imports hypha-rpc once, with the WebSocket shim in place. */
export function loadHyphaRpc(): Promise<{ connectToServer: (config: Record<string, unknown>) => Promise<HyphaApi> }> {
  (globalThis as { WebSocket?: unknown }).WebSocket ??= WebSocket;
  loaded ??= import('hypha-rpc').then((m) => ({
    connectToServer: m.hyphaWebsocketClient.connectToServer as unknown as (config: Record<string, unknown>) => Promise<HyphaApi>,
  }));
  return loaded;
}

/** Connects a hypha-rpc client to `url` with logging off. */
export async function connectHypha(url: string, config: Record<string, unknown> = {}): Promise<HyphaApi> {
  const { connectToServer } = await loadHyphaRpc();
  return connectToServer({ server_url: url, logger: null, ...config });
}
