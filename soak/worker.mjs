/**
 * A soak worker, run as its own process so the soak can SIGKILL it. Registers the `soak`
 * service (`echo`, and `work`, which answers after the given few milliseconds) and prints
 * `ready <peerId>`. SIGTERM disconnects cleanly (close frame 1000) and exits.
 * Env: MYCEL_SERVER_URL, WORKER_ID.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { connectToServer } from '@mycel/client';

const api = await connectToServer({
  server_url: process.env.MYCEL_SERVER_URL ?? '',
  client_id: process.env.WORKER_ID,
  // A worker the hub drops must show up in the soak as an unexpected exit, not heal silently.
  reconnect: false,
});

let isStopping = false;
process.on('SIGTERM', () => {
  if (isStopping) return;
  isStopping = true;
  api.disconnect().finally(() => process.exit(0));
});
api.on('closed', () => {
  if (isStopping) return;
  console.log('closed by the hub');
  process.exit(3);
});

await api.registerService({
  id: 'soak',
  config: { visibility: 'public' },
  echo: (value) => value,
  work: async (ms) => {
    await sleep(ms);
    return ms;
  },
});
console.log(`ready ${api.peerId}`);
