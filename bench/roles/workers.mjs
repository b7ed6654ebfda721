/**
 * Role: a process holding many worker clients of one system. Each worker serves the services it
 * is given: `echo` returns its argument; `get_load` answers a fixed load, after `probeDelayMs`
 * when that is set (the slow-probe measure).
 * Usage (through role.mjs): workers.mjs <system>
 */
import { loadSystem } from '../systems/system.mjs';
import { mapLimited } from '../map-limited.mjs';
import { serveRole } from './role.mjs';

const system = await loadSystem(process.argv[2]);
/** @type {{ close: () => unknown }[]} */
const workers = [];

/**
 * @typedef {{ id: string, load?: number, probeDelayMs?: number, echo?: boolean }} ServicePlan
 * @typedef {{ clientId: string, services: ServicePlan[] }} WorkerPlan
 */

/** Turns a plan (plain data, sent over IPC) into functions. */
function functionsOf({ load = 0, probeDelayMs = 0, echo = false }) {
  const functions = {
    get_load: probeDelayMs > 0 ? () => new Promise((resolve) => setTimeout(() => resolve(load), probeDelayMs)) : () => load,
  };
  if (echo) functions.echo = (value) => value;
  return functions;
}

serveRole(
  { pid: process.pid },
  {
    /** @param {{ url: string, workers: WorkerPlan[], concurrency?: number }} args */
    async connect({ url, workers: plans, concurrency = 16 }) {
      await mapLimited(plans, concurrency, async ({ clientId, services }) => {
        const specs = services.map((plan) => ({ id: plan.id, functions: functionsOf(plan) }));
        workers.push(await system.connectWorker(url, { clientId, services: specs }));
      });
      return workers.length;
    },
    async stop() {
      await Promise.allSettled(workers.map((worker) => worker.close()));
    },
  },
);
