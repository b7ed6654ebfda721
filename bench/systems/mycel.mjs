/** System 2: the Mycel hub with `@mycel/client` for worker and caller (built `dist/`). */
import { connectToServer } from '@mycel/client';
import { startHub } from '@mycel/server';
import pino from 'pino';
import { callerOnHyphaApi, serveOnHyphaApi } from './hypha-api.mjs';

/**
 * Starts a Mycel hub on a free loopback port, logging at `warn` (per-connection `info` lines
 * would be measured too).
 * @returns {Promise<import('./system.mjs').BenchServer>}
 */
export async function startMycelHub() {
  const hub = await startHub({ host: '127.0.0.1', port: 0, logger: pino({ level: 'warn' }) });
  return { url: hub.url, close: () => hub.close() };
}

/** @type {import('./system.mjs').BenchSystem} */
export default {
  name: 'mycel',
  label: 'Mycel hub + @mycel/client',
  hub: 'Mycel hub',
  idleProtocol: 'hypha-ws',
  startServer: startMycelHub,
  async connectWorker(url, { clientId, services }) {
    return serveOnHyphaApi(await connectToServer({ server_url: url, client_id: clientId }), services);
  },
  async connectCaller(url, { clientId }) {
    return callerOnHyphaApi(await connectToServer({ server_url: url, client_id: clientId }));
  },
};
