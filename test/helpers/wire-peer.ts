/**
 * A bare RPC peer on a real hub: the protocol engine over a plain `ws` socket, without the SDK's
 * registration and reconnection. Tests use it to call any peer's functions (the `built-in`
 * message cache, for one) exactly as a hostile or a minimal client would. Terminated when the
 * test ends.
 */
import { RpcPeer, type FrameMeta } from '@mycel/protocol';
import { RawSocket } from './raw-socket.js';

/** A connected peer and its socket. */
export interface WirePeer {
  peer: RpcPeer;
  socket: RawSocket;
  /** The hub's `connection_info`. */
  info: Record<string, unknown>;
  /**
   * Where outgoing frames go; set it to hold some back (return `true` to keep a frame from the
   * socket).
   */
  divert: ((frame: Uint8Array, meta: FrameMeta) => boolean) | undefined;
}

/**
 * Connects as `clientId` and answers frames with an {@link RpcPeer}. `request` adds fields to the
 * connection request (a `reconnection_token`, say); without them the client is anonymous in
 * `public`.
 */
export async function connectWirePeer(url: string, clientId: string, request: Record<string, unknown> = {}): Promise<WirePeer> {
  const socket = await RawSocket.open(url);
  socket.ws.send(JSON.stringify({ ...request, client_id: clientId }));
  const info = await socket.nextText();
  if (info.type !== 'connection_info') throw new Error(`handshake failed: ${JSON.stringify(info)}`);
  const wire: WirePeer = {
    socket,
    info,
    divert: undefined,
    peer: new RpcPeer({
      workspace: String(info.workspace),
      clientId,
      builtIn: false,
      send: (frame, meta) => {
        if (wire.divert?.(frame, meta)) return;
        socket.ws.send(frame);
      },
    }),
  };
  socket.ws.on('message', (data: Buffer, isBinary: boolean) => {
    if (isBinary) wire.peer.handleFrame(data);
  });
  socket.ws.once('close', () => wire.peer.close());
  return wire;
}
