/**
 * One client connection after its handshake: identity, subscriptions, and the socket it writes
 * to (the calls in flight to it are the in-flight table's). The router and manager see only this
 * interface.
 */
import { packField, type PackedField, type UserInfo } from '@mycel/protocol';
import type { Logger } from 'pino';
import type { WebSocket } from 'ws';
import type { QueuedBytes } from './queued-bytes.js';
import type { TokenBucket } from './rate-limit.js';

/** Counters of what the hub writes to clients (the hub's metrics). */
export interface TrafficCounter {
  framesOut: number;
  bytesOut: number;
}

/** The hub-side state of a connected client. */
export class ClientConnection {
  readonly socket: WebSocket;
  readonly workspace: string;
  readonly clientId: string;
  /** `workspace/client_id`. */
  readonly peerId: string;
  readonly user: UserInfo;
  /** {@link user} packed once, for the headers of the calls and events this client sends. */
  readonly userField: PackedField;
  /** Event types this client subscribed to. */
  readonly subscriptions = new Set<string>();
  /**
   * This client's message budget (set once admitted): each message it sends takes a token, and a
   * broadcast also takes one per copy beyond the first, so fan-out counts against its rate.
   */
  rate: TokenBucket | undefined;
  /** The hub's logger bound to this client's remote address (set once admitted). */
  log: Logger | undefined;
  /** Clients this one sent chunks to: told when it leaves (`chunk-senders.ts`). */
  readonly chunkReceivers = new Set<ClientConnection>();
  readonly #maxBufferedBytes: number;
  readonly #onOverflow: (reason: string) => void;
  readonly #hubQueue: QueuedBytes<ClientConnection> | undefined;
  /** Whether {@link #hubQueue} counts a backlog of this client's. */
  #isBacklogged = false;
  readonly #traffic: TrafficCounter | undefined;
  #isOpen = true;
  #isCorked = false;
  #inBurst = false;

  /**
   * @param maxBufferedBytes most bytes queued for a client that does not read
   * @param onOverflow called once when that is exceeded; the hub drops the client
   * @param hubQueue the hub-wide account of bytes queued for all clients
   */
  constructor(
    socket: WebSocket,
    workspace: string,
    clientId: string,
    user: UserInfo,
    maxBufferedBytes: number,
    onOverflow: (reason: string) => void,
    hubQueue?: QueuedBytes<ClientConnection>,
    traffic?: TrafficCounter,
  ) {
    this.#traffic = traffic;
    this.socket = socket;
    this.workspace = workspace;
    this.clientId = clientId;
    this.peerId = `${workspace}/${clientId}`;
    this.user = user;
    this.userField = packField('user', user);
    this.#maxBufferedBytes = maxBufferedBytes;
    this.#onOverflow = onOverflow;
    this.#hubQueue = hubQueue;
  }

  /** Whether frames can still be written. */
  get isOpen(): boolean {
    return this.#isOpen && this.socket.readyState === this.socket.OPEN;
  }

  /** Bytes queued on the socket and not yet written to the network. */
  get bufferedAmount(): number {
    return this.socket.bufferedAmount;
  }

  /** Writes one binary frame. Silently drops it when the socket is closing. */
  send(frame: Uint8Array): void {
    if (!this.isOpen) return;
    const queued = this.socket.bufferedAmount;
    // A client that stops reading must cost the hub bounded memory: drop it, not the hub.
    if (queued + frame.length > this.#maxBufferedBytes) {
      this.drop(`more than ${this.#maxBufferedBytes} bytes queued for a client that does not read`);
      return;
    }
    // So must many of them together: past the hub-wide bound, the one with the most queued goes.
    if (this.#hubQueue && (queued > 0 || this.#isBacklogged)) {
      this.#isBacklogged = queued > 0;
      const dropped = this.#hubQueue.admit(this, queued, frame.length);
      if (dropped) {
        dropped.drop(`more than ${this.#hubQueue.max} bytes queued for all clients, and the most of it for this one`);
        if (dropped === this) return;
      }
    }
    this.#coalesce();
    this.socket.send(frame, { binary: true });
    const traffic = this.#traffic;
    if (traffic) {
      traffic.framesOut++;
      traffic.bytesOut += frame.length;
    }
  }

  /** Drops this client (once): the hub cuts it off, and its backlog stops counting. */
  drop(reason: string): void {
    if (!this.#isOpen) return;
    this.markClosed();
    this.#onOverflow(reason);
  }

  /**
   * Write coalescing. The first frame of a callback (with its promise jobs) is written at once;
   * from the second on, writes are held (`cork`) and leave together, in one `writev`, when the
   * callback is done. A lone frame is never delayed; a burst costs one write instead of one each.
   */
  #coalesce(): void {
    const raw = (this.socket as unknown as { _socket?: { cork(): void; uncork(): void } })._socket;
    if (!raw) return;
    if (!this.#inBurst) {
      this.#inBurst = true;
      process.nextTick(() => {
        this.#inBurst = false;
        if (this.#isCorked) {
          this.#isCorked = false;
          raw.uncork();
        }
      });
    } else if (!this.#isCorked) {
      raw.cork();
      this.#isCorked = true;
    }
  }

  /** Writes one JSON text frame. */
  sendText(message: object): void {
    if (!this.isOpen) return;
    this.socket.send(JSON.stringify(message));
  }

  /** Marks the connection closed (its socket closed or is closing). */
  markClosed(): void {
    this.#isOpen = false;
    this.#hubQueue?.forget(this);
  }
}
