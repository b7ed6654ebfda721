/**
 * The floor: a bare `ws` + `msgpackr` relay doing the two hops a hub does for every frame, and
 * nothing else. It decodes the header (the first msgpack object of a binary frame), stamps the
 * sender, routes by target, re-encodes the header and appends the body bytes untouched. No
 * validation, no registry, no limits: every figure of a real hub is also given as a ratio to it.
 *
 * The handshake is Hypha's shape, so the same idle-client code works against it: the first text
 * frame is `{"client_id": "..."}`, answered by `{"type": "connection_info", ...}`.
 */
import { createServer } from 'node:http';
import { Packr } from 'msgpackr';
import { WebSocketServer } from 'ws';

/** The msgpack options every floor party uses (plain maps, as the Hypha wire uses). */
export const floorPackr = new Packr({ useRecords: false, mapsAsObjects: true, variableMapSize: true });

/**
 * Starts the relay on `host:port` (0 = any free port).
 * @param {{ host?: string, port?: number }} [options]
 * @returns {Promise<{ url: string, close: () => Promise<void> }>}
 */
export async function startFloorRelay({ host = '127.0.0.1', port = 0 } = {}) {
  const http = createServer((_req, res) => res.writeHead(404).end());
  const wss = new WebSocketServer({ server: http, path: '/ws', perMessageDeflate: false });
  /** @type {Map<string, import('ws').WebSocket>} */
  const clients = new Map();

  wss.on('connection', (socket) => {
    socket.on('error', () => {});
    socket.once('message', (data) => {
      const clientId = String(JSON.parse(data.toString()).client_id);
      clients.set(clientId, socket);
      socket.send(JSON.stringify({ type: 'connection_info', client_id: clientId }));
      socket.on('message', (frame, isBinary) => {
        if (isBinary) relay(clientId, frame);
      });
      socket.once('close', () => {
        if (clients.get(clientId) === socket) clients.delete(clientId);
      });
    });
  });

  /** Decode the header only, stamp the sender, route by target, re-pack, append the body. */
  function relay(from, frame) {
    let head;
    let end = frame.length;
    floorPackr.unpackMultiple(frame, (value, _start, stop) => {
      head = value;
      end = stop;
      return false;
    });
    const target = clients.get(head.to);
    if (!target) return;
    head.from = from;
    const packed = floorPackr.pack(head);
    target.send(end < frame.length ? Buffer.concat([packed, frame.subarray(end)]) : packed);
  }

  await new Promise((resolve) => http.listen(port, host, resolve));
  const url = `http://${host}:${http.address().port}`;
  return {
    url,
    close: async () => {
      for (const socket of wss.clients) socket.terminate();
      await new Promise((resolve) => wss.close(resolve));
      await new Promise((resolve) => http.close(resolve));
    },
  };
}
