/**
 * Role: a process holding one or more callers of one system. The first caller runs the call and
 * selection measures; all of them together take part in a herd.
 * Usage (through role.mjs): callers.mjs <system>
 */
import { measureConcurrent } from '../measures/concurrent.mjs';
import { measurePayloads } from '../measures/payload.mjs';
import { measureSelection } from '../measures/selection.mjs';
import { measureSequential } from '../measures/sequential.mjs';
import { mapLimited } from '../map-limited.mjs';
import { loadSystem } from '../systems/system.mjs';
import { serveRole } from './role.mjs';

const system = await loadSystem(process.argv[2]);
/** @type {import('../systems/system.mjs').BenchCaller[]} */
const callers = [];

serveRole(
  { pid: process.pid },
  {
    /** @param {{ url: string, clientIds: string[] }} args */
    async connect({ url, clientIds }) {
      await mapLimited(clientIds, 16, async (clientId) => callers.push(await system.connectCaller(url, { clientId })));
      return callers.length;
    },

    /**
     * The call measures against the one-instance echo service; `null` options skip a measure.
     * @param {{ serviceId: string, instances: string[], sequential?: object, concurrent?: object, payload?: object }} args
     */
    async calls({ serviceId, instances, sequential, concurrent, payload }) {
      const echo = await callers[0].getEcho(serviceId, instances);
      return {
        sequential: sequential ? await measureSequential(echo, sequential) : undefined,
        concurrent: concurrent ? await measureConcurrent(echo, concurrent) : undefined,
        payload: payload ? await measurePayloads(echo, payload) : undefined,
      };
    },

    /** @param {{ cases: Array<{ name: string } & Parameters<typeof measureSelection>[1]> }} args */
    async selection({ cases }) {
      const results = {};
      for (const { name, ...options } of cases) results[name] = await measureSelection(callers[0], options);
      return results;
    },

    /** One unmeasured selection per caller, one at a time, so no first-use cost lands in a herd. */
    async prepareHerd({ serviceId, instances }) {
      for (const caller of callers) await caller.select(serviceId, instances);
    },

    /** Every caller selects at once; resolves with the chosen client ids. */
    herd: ({ serviceId, instances }) => Promise.all(callers.map((caller) => caller.select(serviceId, instances))),

    async stop() {
      await Promise.allSettled(callers.map((caller) => caller.close()));
    },
  },
);
