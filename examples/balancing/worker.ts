/**
 * A worker of the balancing example: registers `render` with a speed (milliseconds per job) and
 * a weight (its share under `balance:weighted`), and stays connected until it is stopped.
 * Run: npx tsx examples/balancing/worker.ts <name> <ms per job> <weight>
 */
import { connectToServer } from '@mycel/client';

const [name = 'worker', msArg = '10', weightArg = '1'] = process.argv.slice(2);
const jobMs = Number(msArg);
const weight = Number(weightArg);
if (!(jobMs >= 0)) throw new TypeError(`ms per job must be a number >= 0, got "${msArg}"`);
if (!Number.isInteger(weight) || weight < 1) throw new TypeError(`weight must be an integer >= 1, got "${weightArg}"`);
const serverUrl = process.env.MYCEL_SERVER_URL ?? 'http://127.0.0.1:9527';

const api = await connectToServer({ server_url: serverUrl, client_id: `render-${name}` });
await api.registerService({
  id: 'render',
  // `weight` is read by balance:weighted; every client, hypha-rpc included, can set it.
  config: { visibility: 'public', weight },
  render: (job: number) => new Promise<string>((resolve) => setTimeout(() => resolve(name), jobMs)),
});
console.log(`worker ${name} ready (${jobMs} ms per job, weight ${weight})`);

const stop = async () => {
  await api.disconnect();
  process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
