/**
 * `@mycel/client` connections for tests, disconnected when the test ends.
 */
import { onTestFinished } from 'vitest';
import { connectToServer, type ConnectOptions, type MycelClient } from '@mycel/client';

/** Connects to `url` and disconnects when the current test finishes. */
export async function connectTestClient(url: string, options: Omit<ConnectOptions, 'server_url'> = {}): Promise<MycelClient> {
  const client = await connectToServer({ server_url: url, ...options });
  onTestFinished(() => client.disconnect());
  return client;
}
