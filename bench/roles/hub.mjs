/**
 * Role: the hub process of one system. Starts the system's server and reports its url and the
 * pid whose memory is the hub's. Run with `--expose-gc` so `gc` can settle the heap before an
 * RSS reading.
 * Usage (through role.mjs): hub.mjs <system>
 */
import { loadSystem } from '../systems/system.mjs';
import { serveRole } from './role.mjs';

const system = await loadSystem(process.argv[2]);
const server = await system.startServer();

serveRole(
  { url: server.url, rssPid: server.rssPid ?? process.pid, version: server.version },
  {
    gc: () => {
      globalThis.gc?.();
      globalThis.gc?.();
    },
    stop: () => server.close(),
  },
);
