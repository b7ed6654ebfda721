/**
 * A bare `ws` client for tests that speak to the hub frame by frame (bad input, handshakes).
 * Every frame received is queued and awaited, never slept for. Terminated when the test ends.
 */
import { once } from 'node:events';
import { onTestFinished } from 'vitest';
import { WebSocket, type RawData } from 'ws';
import { decodeFrame } from '@mycel/protocol';

/** One frame as received. */
export interface RawFrame {
  data: Buffer;
  isBinary: boolean;
}

/** A raw socket with an inbox. */
export class RawSocket {
  readonly ws: WebSocket;
  /** Resolves with the close code and reason once the socket closed. */
  readonly closed: Promise<{ code: number; reason: string }>;
  readonly #inbox: RawFrame[] = [];
  readonly #waiters: Array<(frame: RawFrame | undefined) => void> = [];
  #isClosed = false;

  private constructor(ws: WebSocket) {
    this.ws = ws;
    ws.on('message', (data: RawData, isBinary: boolean) => {
      const frame = { data: toBuffer(data), isBinary };
      const waiter = this.#waiters.shift();
      if (waiter) waiter(frame);
      else this.#inbox.push(frame);
    });
    this.closed = new Promise((resolve) => {
      ws.once('close', (code: number, reason: Buffer) => {
        this.#isClosed = true;
        for (const waiter of this.#waiters.splice(0)) waiter(undefined);
        resolve({ code, reason: reason.toString('utf8') });
      });
    });
    // Errors (e.g. a refused upgrade) surface through `closed`; keep them from being unhandled.
    ws.on('error', () => {});
  }

  /** Opens a socket to `url` (an `http://host:port` hub url, or a full `ws://` url). */
  static async open(url: string): Promise<RawSocket> {
    const target = url.startsWith('http') ? `${url.replace(/^http/, 'ws')}/ws` : url;
    const socket = new RawSocket(new WebSocket(target));
    onTestFinished(() => socket.ws.terminate());
    await once(socket.ws, 'open');
    return socket;
  }

  /** Opens a socket, does the handshake as `clientId` and returns it with its `connection_info`. */
  static async connect(url: string, clientId: string): Promise<{ socket: RawSocket; info: Record<string, unknown> }> {
    const socket = await RawSocket.open(url);
    socket.ws.send(JSON.stringify({ client_id: clientId }));
    const info = await socket.nextText();
    if (info.type !== 'connection_info') throw new Error(`handshake failed: ${JSON.stringify(info)}`);
    return { socket, info };
  }

  /** The next frame; rejects if the socket closes first. */
  next(): Promise<RawFrame> {
    const queued = this.#inbox.shift();
    if (queued) return Promise.resolve(queued);
    if (this.#isClosed) return Promise.reject(new Error('socket closed'));
    return new Promise((resolve, reject) => {
      this.#waiters.push((frame) => (frame ? resolve(frame) : reject(new Error('socket closed'))));
    });
  }

  /** The next frame, which must be a JSON text frame. */
  async nextText(): Promise<Record<string, unknown>> {
    const frame = await this.next();
    if (frame.isBinary) throw new Error('expected a text frame, got a binary one');
    return JSON.parse(frame.data.toString('utf8')) as Record<string, unknown>;
  }

  /** The next frame, which must be a binary frame; decoded into header and body. */
  async nextBinary(): Promise<{ main: Record<string, unknown>; extra: Record<string, unknown> | undefined }> {
    const frame = await this.next();
    if (!frame.isBinary) throw new Error(`expected a binary frame, got text: ${frame.data.toString('utf8')}`);
    const { main, extra } = decodeFrame(frame.data);
    return { main: main as Record<string, unknown>, extra: extra as Record<string, unknown> | undefined };
  }

  /** Sends `{"type":"ping"}` and resolves once the `pong` arrives (the hub is alive for us). */
  async ping(): Promise<void> {
    this.ws.send(JSON.stringify({ type: 'ping' }));
    const reply = await this.nextText();
    if (reply.type !== 'pong') throw new Error(`expected pong, got ${JSON.stringify(reply)}`);
  }

  /** Frames received and not read yet. */
  get pending(): number {
    return this.#inbox.length;
  }
}

function toBuffer(data: RawData): Buffer {
  if (Array.isArray(data)) return Buffer.concat(data);
  if (data instanceof ArrayBuffer) return Buffer.from(data);
  return data;
}
