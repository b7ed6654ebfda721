/** System 3: the Mycel hub with the official `hypha-rpc` client for worker and caller. */
import { callerOnHyphaApi, serveOnHyphaApi } from './hypha-api.mjs';
import { connectHyphaRpc } from './hypha-rpc-client.mjs';
import { startMycelHub } from './mycel.mjs';

/** @type {import('./system.mjs').BenchSystem} */
export default {
  name: 'mycel-hypha-rpc',
  label: 'Mycel hub + hypha-rpc',
  hub: 'Mycel hub',
  idleProtocol: 'hypha-ws',
  startServer: startMycelHub,
  async connectWorker(url, { clientId, services }) {
    return serveOnHyphaApi(await connectHyphaRpc(url, { client_id: clientId }), services);
  },
  async connectCaller(url, { clientId }) {
    return callerOnHyphaApi(await connectHyphaRpc(url, { client_id: clientId }));
  },
};
