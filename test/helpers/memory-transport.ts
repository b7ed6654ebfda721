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
  readonly #peers = new Map<string, RpcPeer>();
  /** Every frame routed, in order (delivered or not). */
  readonly log: RoutedFrame[] = [];
  /**
   * Called before delivery; returning `true` swallows the frame (it is logged but not delivered).
   * Use it to hold back or capture frames.
   */
  intercept: ((frame: RoutedFrame) => boolean) | undefined;

  /** Creates a peer attached to this router. */
  addPeer(options: MemoryPeerOptions): RpcPeer {
    const peer: RpcPeer = new RpcPeer({ ...options, send: (frame) => this.#route(peer, frame) });
    this.#peers.set(peer.peerId, peer);
    return peer;
  }

  /** Detaches a peer: frames to it vanish from now on. */
  removePeer(peer: RpcPeer): void {
    this.#peers.delete(peer.peerId);
  }

  /** Delivers raw bytes to a peer as if `from` had sent them (the header is stamped as usual). */
  inject(fromPeerId: string, bytes: Uint8Array): void {
    const { main, restOffset } = decodeHead(bytes);
    const header: Record<string, unknown> = { ...(main as object), from: fromPeerId, ws: fromPeerId.split('/')[0] };
    const to = typeof header.to === 'string' ? header.to : undefined;
    this.#deliver({ from: fromPeerId, to, header, bytes: replaceHead(header, bytes, restOffset) });
  }

  #route(sender: RpcPeer, bytes: Uint8Array): void {
    const { main, restOffset } = decodeHead(bytes);
    const header: Record<string, unknown> = { ...(main as object), from: sender.peerId, ws: sender.workspace };
    const to = typeof header.to === 'string' ? header.to : undefined;
    this.#deliver({ from: sender.peerId, to, header, bytes: replaceHead(header, bytes, restOffset) });
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
