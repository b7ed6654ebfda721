/**
 * Role: a process holding many idle clients of a hub, for the connection-memory measure. They are
 * raw sockets that do the handshake and then only answer keep-alives:
 * - `hypha-ws`: a `ws` socket to `/ws` whose first text frame is `{"client_id": "..."}`, done
 *   once `connection_info` comes back (ws answers the hub's pings by itself);
 * - `nats`: a TCP socket that sends `CONNECT {...}` and `PING`, done at `PONG`, and answers the
 *   server's `PING`s.
 * Usage (through role.mjs): idle-clients.mjs
 */
import { createConnection } from 'node:net';
import { WebSocket } from 'ws';
import { mapLimited } from '../map-limited.mjs';
import { serveRole } from './role.mjs';

/** @type {Array<{ close: () => void }>} */
const clients = [];

/** Opens a `ws` socket and completes Hypha's handshake. */
function openHyphaWs(url, clientId) {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(`${url.replace(/^http/, 'ws')}/ws`, { perMessageDeflate: false });
    socket.once('error', reject);
    socket.once('open', () => socket.send(JSON.stringify({ client_id: clientId })));
    socket.once('message', (data) => {
      const info = JSON.parse(data.toString());
      if (info.type !== 'connection_info') reject(new Error(`handshake refused: ${data}`));
      else resolve({ close: () => socket.terminate() });
    });
  });
}

/** Opens a NATS connection and waits for the PONG that follows CONNECT. */
function openNats(url, clientId) {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = createConnection({ host: hostname, port: Number(port) });
    socket.once('error', reject);
    let isReady = false;
    socket.on('data', (chunk) => {
      const text = chunk.toString();
      if (text.includes('PING')) socket.write('PONG\r\n');
      if (!isReady && text.includes('PONG')) {
        isReady = true;
        resolve({ close: () => socket.destroy() });
      }
    });
    socket.write(`CONNECT ${JSON.stringify({ verbose: false, pedantic: false, name: clientId })}\r\nPING\r\n`);
  });
}

const OPENERS = { 'hypha-ws': openHyphaWs, nats: openNats };

serveRole(
  { pid: process.pid },
  {
    /** @param {{ url: string, protocol: 'hypha-ws' | 'nats', clientIds: string[] }} args */
    async open({ url, protocol, clientIds }) {
      const opener = OPENERS[protocol];
      await mapLimited(clientIds, 64, async (clientId) => clients.push(await opener(url, clientId)));
      return clients.length;
    },
    stop() {
      for (const client of clients.splice(0)) client.close();
    },
  },
);
