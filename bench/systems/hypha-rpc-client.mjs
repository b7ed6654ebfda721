/**
 * Loads the official `hypha-rpc` client on Node 20, which has no global WebSocket: the `ws`
 * implementation is installed first, as hypha-rpc's docs ask.
 */
import { WebSocket } from 'ws';

/**
 * Connects a hypha-rpc client with logging off.
 * @param {string} url hub url (`http://host:port`)
 * @param {Record<string, unknown>} config extra `connectToServer` options (`client_id`, `workspace`)
 */
export async function connectHyphaRpc(url, config) {
  globalThis.WebSocket ??= WebSocket;
  const { hyphaWebsocketClient } = await import('hypha-rpc');
  return hyphaWebsocketClient.connectToServer({ server_url: url, logger: null, ...config });
}
