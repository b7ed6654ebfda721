/**
 * System 4: `hypha-core` (npm; a JavaScript implementation of the Hypha server) on a real port
 * through {@link WsServerClass}, with the official `hypha-rpc` client for worker and caller.
 * hypha-core ignores `select:` modes: its `getService` returns the first match in key order, so
 * its selection figures are the cost of a lookup, not of a probe round.
 */
import { freePort } from '../free-port.mjs';
import { callerOnHyphaApi, serveOnHyphaApi } from './hypha-api.mjs';
import { WsServerClass } from './hypha-core-server.mjs';
import { connectHyphaRpc } from './hypha-rpc-client.mjs';

/** hypha-core puts anonymous clients in a workspace of their own; `public` is shared. */
const WORKSPACE = 'public';

/** @type {import('./system.mjs').BenchSystem} */
export default {
  name: 'hypha-core',
  label: 'hypha-core + hypha-rpc',
  hub: 'hypha-core',
  idleProtocol: 'hypha-ws',
  notes: 'ignores select: modes (returns the first instance in key order)',

  async startServer() {
    // Its info/debug chatter per connection would be measured too; Mycel logs at warn as well.
    for (const level of ['log', 'info', 'debug']) console[level] = () => {};
    const { HyphaCore } = await import('hypha-core');
    const port = await freePort();
    const core = new HyphaCore({ url: `ws://127.0.0.1:${port}/ws`, ServerClass: WsServerClass });
    await core.start();
    return { url: `http://127.0.0.1:${port}`, close: async () => core.close() };
  },
  async connectWorker(url, { clientId, services }) {
    return serveOnHyphaApi(await connectHyphaRpc(url, { client_id: clientId, workspace: WORKSPACE }), services);
  },
  async connectCaller(url, { clientId }) {
    return callerOnHyphaApi(await connectHyphaRpc(url, { client_id: clientId, workspace: WORKSPACE }));
  },
};
