/**
 * System 5: Moleculer, one ServiceBroker (node) per worker or caller, over NATS when
 * `nats-server` is installed (started here on 127.0.0.1), else over its TCP transporter with UDP
 * discovery off and every address forced to 127.0.0.1 (a seed node in the hub process; gossip
 * does the rest). Serializer CBOR (cbor-x), so binary payloads travel as bytes.
 *
 * Moleculer has no probe-based selection: "selection" here is the caller calling `get_load` on
 * every node that serves the service, in parallel, and keeping the lowest (the bench's code).
 */
import moleculer from 'moleculer';
import { freePort } from '../free-port.mjs';
import { pickLowest } from '../pick-lowest.mjs';
import { hasNatsServer, startNatsServer } from './nats-server.mjs';

const { ServiceBroker, Transporters } = moleculer;
const USE_NATS = process.env.MYCEL_BENCH_MOLECULER_TRANSPORT !== 'tcp' && hasNatsServer();

/** TCP transporter that advertises 127.0.0.1 whatever the machine's interfaces are. */
class LoopbackTcpTransporter extends Transporters.TCP {
  getNodeAddress() {
    return '127.0.0.1';
  }
}

/**
 * Broker options shared by every node. Heartbeats are made rare: the bench keeps idle fleets of
 * up to 1000 nodes alive between measures, and Moleculer's all-to-all heartbeats would otherwise
 * load the machine while other systems are measured.
 */
function brokerOptions(url, nodeID) {
  const transporter = USE_NATS
    ? { type: 'NATS', options: { url, maxPayload: 8 * 1024 * 1024 } }
    : new LoopbackTcpTransporter({
        udpDiscovery: false,
        useHostname: false,
        urls: [`${url.replace('tcp://', '')}/seed`],
        maxPacketSize: 16 * 1024 * 1024,
      });
  return { nodeID, transporter, serializer: 'CBOR', logger: false, heartbeatInterval: 600, heartbeatTimeout: 1800 };
}

/** Resolves once `count` nodes serve `serviceId` (setup only, bounded to 120 s). */
async function waitForInstances(broker, serviceId, count) {
  const deadline = Date.now() + 120_000;
  for (;;) {
    const nodes = broker.registry.getServiceList({ onlyAvailable: true }).filter((s) => s.name === serviceId);
    if (nodes.length >= count) return;
    if (Date.now() > deadline) throw new Error(`only ${nodes.length} of ${count} "${serviceId}" nodes after 120 s`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** @type {import('./system.mjs').BenchSystem} */
export default {
  name: 'moleculer',
  label: USE_NATS ? 'Moleculer (NATS)' : 'Moleculer (TCP)',
  hub: USE_NATS ? 'nats-server' : 'none (TCP mesh)',
  idleProtocol: USE_NATS ? 'nats' : 'none',
  /**
   * Every node keeps the whole registry and discovery is all-to-all (each new node's INFO goes to
   * every node and every node answers it), so start-up grows with the square of the node count:
   * a fleet of 1000 workers + 101 callers took 482 s to start here. 100 instances take seconds.
   */
  maxInstances: 100,
  notes: 'selection is a probe round written in the bench; heartbeats every 600 s; fleets above 100 nodes take minutes to discover each other',

  async startServer() {
    if (USE_NATS) {
      const nats = await startNatsServer();
      return { url: nats.url, rssPid: nats.pid, version: nats.version, close: nats.close };
    }
    const port = await freePort();
    const seed = new ServiceBroker({
      ...brokerOptions(`tcp://127.0.0.1:${port}`, 'seed'),
      transporter: new LoopbackTcpTransporter({ udpDiscovery: false, useHostname: false, port }),
    });
    await seed.start();
    return { url: `tcp://127.0.0.1:${port}`, close: () => seed.stop() };
  },

  async connectWorker(url, { clientId, services }) {
    const broker = new ServiceBroker(brokerOptions(url, clientId));
    for (const { id, functions } of services) {
      const actions = {};
      if (functions.echo) actions.echo = (ctx) => functions.echo(ctx.params.v);
      if (functions.get_load) actions.get_load = () => functions.get_load();
      broker.createService({ name: id, actions });
    }
    await broker.start();
    return { close: () => broker.stop() };
  },

  async connectCaller(url, { clientId }) {
    const broker = new ServiceBroker(brokerOptions(url, clientId));
    await broker.start();
    const ready = new Map();
    const whenReady = (serviceId, count) => {
      if (!ready.has(serviceId)) ready.set(serviceId, waitForInstances(broker, serviceId, count));
      return ready.get(serviceId);
    };
    return {
      async getEcho(serviceId, instances) {
        await whenReady(serviceId, instances.length);
        return (value) => broker.call(`${serviceId}.echo`, { v: value }, { nodeID: instances[0] });
      },
      async select(serviceId, instances) {
        await whenReady(serviceId, instances.length);
        const loads = await Promise.all(
          instances.map((nodeID) => broker.call(`${serviceId}.get_load`, {}, { nodeID })),
        );
        return pickLowest(instances, loads);
      },
      close: () => broker.stop(),
    };
  },
};
