/**
 * A TaskProcessor worker. Registers `task-processor` with `get_load` and `process`, and stays
 * connected until it is stopped.
 * Run: npx tsx examples/load-balancing/worker.ts <name> <load>
 */
import { connectToServer } from '@mycel/client';

const [name = 'worker', loadArg = '0.5'] = process.argv.slice(2);
const load = Number(loadArg);
if (!Number.isFinite(load)) throw new TypeError(`load must be a number, got "${loadArg}"`);
const serverUrl = process.env.MYCEL_SERVER_URL ?? 'http://127.0.0.1:9527';

const api = await connectToServer({ server_url: serverUrl, client_id: `task-processor-${name}` });
await api.registerService({
  id: 'task-processor',
  config: { visibility: 'public' },
  get_load: () => load,
  process: (task: string) => `Task '${task}' processed by ${name}`,
});
console.log(`worker ${name} ready (load ${load})`);

const stop = async () => {
  await api.disconnect();
  process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
