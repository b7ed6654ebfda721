/**
 * The shape every benchmarked system has, and the registry of systems by name. A system knows
 * how to start its server (in the hub process), connect a worker that serves a set of services
 * (in a worker process) and connect a caller (in a caller process). Measures only ever see these.
 *
 * @typedef {object} ServiceSpec One service a worker serves.
 * @property {string} id
 * @property {Record<string, (...args: any[]) => unknown>} functions `echo` and/or `get_load`
 *
 * @typedef {object} BenchCaller
 * @property {(serviceId: string, instances: string[]) => Promise<(value: unknown) => Promise<unknown>>} getEcho
 *   binds to the echo service (its one instance) and returns its `echo` function
 * @property {(serviceId: string, instances: string[]) => Promise<string>} select
 *   runs one `select:min:get_load` selection and resolves with the chosen worker's client id
 * @property {() => Promise<void>} close
 *
 * @typedef {object} BenchServer
 * @property {string} url `http://127.0.0.1:port` (or `nats://...`)
 * @property {number} [rssPid] the process whose memory is the hub's (default: the hub process)
 * @property {string} [version] the server's version, when it is not an npm package (nats-server)
 * @property {() => Promise<void>} close
 *
 * @typedef {object} BenchSystem
 * @property {string} name key used on the command line and in results
 * @property {string} label
 * @property {string} hub systems with the same hub share the connection measure
 * @property {'hypha-ws' | 'nats'} idleProtocol what an idle client of this hub speaks
 * @property {number} [maxInstances] most instances it can run here (selection N above is skipped)
 * @property {string} [notes]
 * @property {() => Promise<BenchServer>} startServer
 * @property {(url: string, o: { clientId: string, services: ServiceSpec[] }) => Promise<{ close: () => unknown }>} connectWorker
 * @property {(url: string, o: { clientId: string }) => Promise<BenchCaller>} connectCaller
 */

/** Every system, in table order. */
export const SYSTEM_NAMES = ['floor', 'mycel', 'mycel-hypha-rpc', 'hypha-core', 'moleculer'];

/**
 * Loads one system by name.
 * @param {string} name
 * @returns {Promise<BenchSystem>}
 */
export async function loadSystem(name) {
  if (!SYSTEM_NAMES.includes(name)) throw new Error(`unknown system "${name}"; known: ${SYSTEM_NAMES.join(', ')}`);
  return (await import(`./${name}.mjs`)).default;
}
