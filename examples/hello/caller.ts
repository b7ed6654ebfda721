/**
 * A caller: finds the `hello` service on the hub and calls it.
 * Run: npx tsx examples/hello/caller.ts   (hub URL from MYCEL_SERVER_URL, default http://127.0.0.1:9527)
 */
import { connectToServer } from '@mycel/client';

interface Hello {
  greet(name: string): string;
  shout(text: string): string;
}

const serverUrl = process.env.MYCEL_SERVER_URL ?? 'http://127.0.0.1:9527';
const api = await connectToServer({ server_url: serverUrl });
try {
  const hello = await api.getService<Hello>('hello');
  console.log(await hello.greet('Mycel'));
  console.log(await hello.shout('it works'));
} finally {
  await api.disconnect();
}
