/**
 * An in-memory stand-in for the hub's router, for peer engine tests. Each peer's `send` hands the
 * frame to the router, which does what the hub does to a frame: decodes only the header, stamps
 * `from` (and `ws`) with the sender's identity, re-packs it with the body bytes untouched, and
 * delivers it to the peer named in `to` on a later microtask. Frames to unknown peers vanish.
 */
import { decodeHead, replaceHead, RpcPeer, type PeerOptions } from '@mycel/protocol';

/** Options of {@link MemoryRouter.addPeer}: everything but `send`, which the router supplies. */
export type MemoryPeerOptions = Omit<PeerOptions, 'send'>;

/** A frame as seen by the router, after stamping. */
export interface RoutedFrame {
  from: string;
  to: string | undefined;
  header: Record<string, unknown>;
  bytes: Uint8Array;
}

/** Routes frames between in-memory peers. */
export class MemoryRouter {
  readonly #peers = new Map<string, { handleFrame(bytes: Uint8Array): void }>();
  /** Every frame routed, in order (delivered or not). */
  readonly log: RoutedFrame[] = [];
  /**
   * Called before delivery; returning `true` swallows the frame (it is logged but not delivered).
   * Use it to hold back or capture frames.
   */
  intercept: ((frame: RoutedFrame) => boolean) | undefined;

  /** Creates a peer attached to this router. */
  addPeer(options: MemoryPeerOptions): RpcPeer {
    const peer: RpcPeer = new RpcPeer({ ...options, send: (frame) => this.#route(peer.peerId, frame) });
    this.#peers.set(peer.peerId, peer);
    return peer;
  }

  /** Detaches a peer: frames to it vanish from now on. */
  removePeer(peer: RpcPeer): void {
    this.#peers.delete(peer.peerId);
  }

  /**
   * Attaches a raw endpoint as `peerId` (the far end of a transport): what it sends is routed
   * like a peer's frames, and frames to `peerId` reach `receive`. `detach` removes it.
   */
  attach(peerId: string, receive: (bytes: Uint8Array) => void): { send(bytes: Uint8Array): void; detach(): void } {
    const endpoint = { handleFrame: receive };
    this.#peers.set(peerId, endpoint);
    return {
      send: (bytes) => this.#route(peerId, bytes),
      detach: () => {
        if (this.#peers.get(peerId) === endpoint) this.#peers.delete(peerId);
      },
    };
  }

  /** Delivers raw bytes to a peer as if `from` had sent them (the header is stamped as usual). */
  inject(fromPeerId: string, bytes: Uint8Array): void {
    this.#route(fromPeerId, bytes);
  }

  #route(senderId: string, bytes: Uint8Array): void {
    const { main, restOffset } = decodeHead(bytes);
    // As the hub: the in-process manager (`*/...`) stamps its own `ws` (the target's workspace).
    const stamped = senderId.startsWith('*/') && typeof (main as { ws?: unknown }).ws === 'string';
    const ws = stamped ? (main as { ws: string }).ws : senderId.split('/')[0];
    const header: Record<string, unknown> = { ...(main as object), from: senderId, ws };
    const to = typeof header.to === 'string' ? header.to : undefined;
    this.#deliver({ from: senderId, to, header, bytes: replaceHead(header, bytes, restOffset) });
  }

  #deliver(frame: RoutedFrame): void {
    this.log.push(frame);
    if (this.intercept?.(frame)) return;
    const target = frame.to === undefined ? undefined : this.#peers.get(frame.to);
    if (!target) return;
    // A promise job, not queueMicrotask: fake timers never hold it back.
    void Promise.resolve().then(() => target.handleFrame(frame.bytes));
  }
}

/** A router with two peers on it in workspace `ws`: `caller` and `worker`. */
export function connectedPair(caller: Partial<MemoryPeerOptions> = {}, worker: Partial<MemoryPeerOptions> = {}) {
  const router = new MemoryRouter();
  return {
    router,
    caller: router.addPeer({ workspace: 'ws', clientId: 'caller', ...caller }),
    worker: router.addPeer({ workspace: 'ws', clientId: 'worker', ...worker }),
  };
}
