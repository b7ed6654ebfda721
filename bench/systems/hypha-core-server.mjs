/**
 * A `ServerClass` for hypha-core over the `ws` package. hypha-core's own Node example runs on an
 * in-memory mock socket and opens no port; it takes any class with this shape:
 * `new ServerClass(wsUrl)`, `on('connection', socket)`, and sockets with `on('message' | 'close' |
 * 'error')`, `send`, `close`, `readyState`/`OPEN`. It expects text frames as strings and binary
 * frames as `Uint8Array`, which is the one conversion done here.
 */
import { EventEmitter } from 'node:events';
import { WebSocketServer } from 'ws';

/** One client socket as hypha-core expects it. */
class SocketAdapter extends EventEmitter {
  CONNECTING = 0;
  OPEN = 1;
  CLOSING = 2;
  CLOSED = 3;
  #socket;

  /** @param {import('ws').WebSocket} socket */
  constructor(socket) {
    super();
    this.#socket = socket;
    socket.on('message', (data, isBinary) => this.emit('message', isBinary ? data : data.toString('utf8')));
    socket.on('close', (code, reason) => this.emit('close', code, reason));
    // hypha-core listens for 'error' itself; a socket error with no listener must not crash the hub.
    socket.on('error', (error) => this.listenerCount('error') > 0 && this.emit('error', error));
  }

  get readyState() {
    return this.#socket.readyState;
  }

  send(data) {
    this.#socket.send(data);
  }

  close(code, reason) {
    this.#socket.close(code, reason);
  }
}

/** The server class handed to `new HyphaCore({ ServerClass })`. */
export class WsServerClass extends EventEmitter {
  #wss;

  /** @param {string} wsUrl `ws://host:port/ws`, as hypha-core builds it from its config */
  constructor(wsUrl) {
    super();
    const { hostname, port, pathname } = new URL(wsUrl);
    this.#wss = new WebSocketServer({ host: hostname, port: Number(port), path: pathname, perMessageDeflate: false });
    this.#wss.on('connection', (socket) => this.emit('connection', new SocketAdapter(socket)));
  }

  close() {
    for (const socket of this.#wss.clients) socket.terminate();
    this.#wss.close();
  }
}
