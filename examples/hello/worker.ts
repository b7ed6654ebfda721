/**
 * A worker: registers the `hello` service and stays connected until Ctrl-C.
 * Run: npx tsx examples/hello/worker.ts   (hub URL from MYCEL_SERVER_URL, default http://127.0.0.1:9527)
 */
import { connectToServer } from '@mycel/client';

const serverUrl = process.env.MYCEL_SERVER_URL ?? 'http://127.0.0.1:9527';
const api = await connectToServer({ server_url: serverUrl, client_id: process.env.MYCEL_CLIENT_ID ?? 'hello-worker' });

const info = await api.registerService({
  id: 'hello',
  name: 'Hello',
  description: 'Greets whoever asks',
  greet: (name: string) => `Hello, ${name}!`,
  shout: async (text: string) => text.toUpperCase(),
});
console.log(`worker ready: ${info.id}`);

const stop = async () => {
  await api.disconnect();
  process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
