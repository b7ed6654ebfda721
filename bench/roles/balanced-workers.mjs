/**
 * Role: Mycel SDK workers for the balancing measures. Each serves `echo` (returns its argument),
 * `work()` (answers its own name after `serviceMs`, one call at a time: a server with one
 * thread, so calls queue in the worker when it is busy) and `get_load()` (how many `work` calls
 * it holds). Its registration config carries `weight` when given.
 * Usage (through role.mjs): balanced-workers.mjs
 */
import { connectToServer } from '@mycel/client';
import { mapLimited } from '../map-limited.mjs';
import { serveRole } from './role.mjs';

/** @type {import('@mycel/client').MycelClient[]} */
const clients = [];

/** A one-at-a-time server of `serviceMs` per call, and its load. */
function serialWorker(name, serviceMs) {
  let tail = Promise.resolve();
  let held = 0;
  return {
    work: () => {
      held++;
      const done = tail.then(() => new Promise((resolve) => setTimeout(resolve, serviceMs)));
      tail = done;
      return done.then(() => {
        held--;
        return name;
      });
    },
    get_load: () => held,
  };
}

serveRole(
  { pid: process.pid },
  {
    /** @param {{ url: string, workers: Array<{ clientId: string, serviceId: string, serviceMs?: number, weight?: number }> }} args */
    async connect({ url, workers }) {
      await mapLimited(workers, 16, async ({ clientId, serviceId, serviceMs = 0, weight }) => {
        const api = await connectToServer({ server_url: url, client_id: clientId });
        clients.push(api);
        await api.registerService({
          id: serviceId,
          config: { visibility: 'public', ...(weight !== undefined && { weight }) },
          echo: (value) => value,
          ...serialWorker(clientId, serviceMs),
        });
      });
      return clients.length;
    },
    async stop() {
      await Promise.allSettled(clients.map((client) => client.disconnect()));
    },
  },
);
