/** A free TCP port on 127.0.0.1, for servers that must be told their port up front. */
import { createServer } from 'node:net';

/**
 * Asks the OS for a free loopback port and releases it.
 * @returns {Promise<number>}
 */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}
