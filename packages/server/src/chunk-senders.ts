/**
 * Chunks do not outlive their sender. A receiver reassembles a chunked message under the
 * sender's id (`built-in.message_cache`); the hub remembers, per connection, which clients it sent
 * chunks to, and when that connection ends (closed, or superseded by a newer one with the same
 * id) it tells each of them with a `client_disconnected` event addressed to it, so they drop the
 * chunks: they hold memory no one will claim, and a later connection with the same id would find
 * them. Receivers subscribed to `client_disconnected` in the sender's workspace already get the
 * broadcast of a close and are not told twice.
 */
import { encodeFrame } from '@mycel/protocol';
import type { ClientConnection } from './connection.js';

/** Methods of a receiver's chunk cache. */
const CHUNK_METHOD_PREFIX = 'services.built-in.message_cache.';

/** Receivers remembered per sender before the ones that left are pruned. */
const PRUNE_AT = 1024;

/** Remembers that `sender` sent a chunk-cache call to `receiver`, when `method` is one. */
export function noteChunkCall(sender: ClientConnection, receiver: ClientConnection, method: unknown): void {
  if (typeof method !== 'string' || !method.startsWith(CHUNK_METHOD_PREFIX)) return;
  const receivers = sender.chunkReceivers;
  if (receivers.size >= PRUNE_AT && !receivers.has(receiver)) {
    for (const known of receivers) if (!known.isOpen) receivers.delete(known);
  }
  receivers.add(receiver);
}

/**
 * Tells every client `departed` sent chunks to, and that is still connected, that it is gone.
 * With `skipSubscribers`, those that get the workspace's `client_disconnected` broadcast anyway
 * are left out.
 */
export function tellChunkReceivers(departed: ClientConnection, managerId: string, skipSubscribers: boolean): void {
  const data = { id: departed.clientId, workspace: departed.workspace };
  for (const receiver of departed.chunkReceivers) {
    if (!receiver.isOpen || receiver.peerId === departed.peerId) continue;
    if (skipSubscribers && receiver.workspace === departed.workspace && receiver.subscriptions.has('client_disconnected')) continue;
    receiver.send(encodeFrame({ type: 'client_disconnected', to: receiver.peerId, from: managerId, ws: receiver.workspace, data }));
  }
  departed.chunkReceivers.clear();
}
