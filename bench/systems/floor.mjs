/**
 * System 1, the floor: the bare relay of `floor-relay.mjs` with the minimal client of
 * `floor-client.mjs`. It has no registry and no selection, so "selection" here is the caller
 * probing the known instances itself through the relay and keeping the lowest (ties at random):
 * the least any probe-based selection can cost over two hops.
 */
import { connectFloor } from '../floor-client.mjs';
import { startFloorRelay } from '../floor-relay.mjs';
import { pickLowest } from '../pick-lowest.mjs';

/** @type {import('./system.mjs').BenchSystem} */
export default {
  name: 'floor',
  label: 'Floor: bare ws + msgpackr relay',
  hub: 'floor relay',
  idleProtocol: 'hypha-ws',

  startServer: () => startFloorRelay(),

  async connectWorker(url, { clientId, services }) {
    const handlers = {};
    for (const service of services) {
      for (const [fn, impl] of Object.entries(service.functions)) handlers[`${service.id}.${fn}`] = impl;
    }
    return connectFloor(url, clientId, handlers);
  },

  async connectCaller(url, { clientId }) {
    const floor = await connectFloor(url, clientId);
    return {
      async getEcho(serviceId, instances) {
        const [worker] = instances;
        return (value) => floor.call(worker, `${serviceId}.echo`, [value]);
      },
      async select(serviceId, instances) {
        const loads = await Promise.all(instances.map((id) => floor.call(id, `${serviceId}.get_load`, [])));
        return pickLowest(instances, loads);
      },
      close: async () => floor.close(),
    };
  },
};
