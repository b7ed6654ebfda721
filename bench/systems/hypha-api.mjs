/**
 * Worker and caller on top of a Hypha-style client API (`registerService`, `getService`,
 * `disconnect`), which both `@mycel/client` and the official `hypha-rpc` offer. The systems that
 * use those clients differ only in how they connect.
 */

/**
 * Registers every service on an already connected client.
 * @param {{ registerService: (s: object) => Promise<unknown>, disconnect: () => Promise<void> }} api
 * @param {import('./system.mjs').ServiceSpec[]} services
 * @returns {Promise<{ close: () => Promise<void> }>}
 */
export async function serveOnHyphaApi(api, services) {
  for (const service of services) {
    await api.registerService({ id: service.id, config: { visibility: 'public' }, ...service.functions });
  }
  return { close: () => api.disconnect() };
}

/**
 * A bench caller over a connected client. Selection is the hub's `select:min:get_load`.
 * @param {{ getService: (q: string, o?: object) => Promise<any>, disconnect: () => Promise<void> }} api
 * @returns {import('./system.mjs').BenchCaller}
 */
export function callerOnHyphaApi(api) {
  return {
    async getEcho(serviceId) {
      const service = await api.getService(serviceId);
      return (value) => service.echo(value);
    },
    async select(serviceId) {
      const service = await api.getService(serviceId, { mode: 'select:min:get_load' });
      return clientIdOf(service.id);
    },
    close: () => api.disconnect(),
  };
}

/** `workspace/client:service@app` -> `client`. */
function clientIdOf(serviceId) {
  const afterWorkspace = serviceId.slice(serviceId.indexOf('/') + 1);
  return afterWorkspace.slice(0, afterWorkspace.indexOf(':'));
}
