/**
 * Chunks do not outlive their sender. An SDK worker kept a departed sender's chunks for the whole
 * five-minute time limit, and a client that came back with the same id found them: its `create`
 * failed, or its `process` ran a stale message. The hub now tells every client a peer sent chunks
 * to when that peer's connection ends (closed or superseded), and the SDK drops them.
 */
import { describe, expect, it, vi } from 'vitest';
import { connectTestClient } from '../helpers/clients.js';
import { startTestHub, type TestHub } from '../helpers/hub.js';
import { connectWirePeer, type WirePeer } from '../helpers/wire-peer.js';

function cache(from: WirePeer, fn: string, ...args: unknown[]): Promise<unknown> {
  return from.peer.call('public/w', `services.built-in.message_cache.${fn}`, args);
}

/** Connects a worker whose `note` records what it is called with; returns the record. */
async function startWorker(hub: TestHub): Promise<string[]> {
  const notes: string[] = [];
  // Not subscribed to any event: the worker learns of departures from the hub all the same.
  const worker = await connectTestClient(hub.url, { client_id: 'w', reconnect: false });
  await worker.registerService({ id: 'rec', config: { visibility: 'public' }, note: (text: string) => void notes.push(text) });
  return notes;
}

/** The frame of a call of `note(text)` from `sender`, held back to be sent in chunks. */
function heldCall(sender: WirePeer, text: string): Uint8Array {
  let frame: Uint8Array | undefined;
  sender.divert = (f) => {
    frame = f;
    return true;
  };
  sender.peer.call('public/w', 'services.rec.note', [text]).catch(() => {});
  sender.divert = undefined;
  if (!frame) throw new Error('the call frame was not captured');
  return frame;
}

/** Sends, as `sender`, all but the `process` step of a chunked call of `note(text)`. */
async function sendChunks(sender: WirePeer, text: string): Promise<void> {
  await cache(sender, 'create', 'k', false, false);
  await cache(sender, 'append', 'k', heldCall(sender, text), false);
}

describe('chunks of a sender that left', () => {
  it('are gone when a client with the same id connects again', async () => {
    await using hub = await startTestHub();
    const notes = await startWorker(hub);
    const first = await connectWirePeer(hub.url, 'x');
    await sendChunks(first, 'stale');
    first.socket.ws.terminate();
    await vi.waitFor(() => expect(hub.clients.has('public/x')).toBe(false));

    const again = await connectWirePeer(hub.url, 'x');
    await expect(cache(again, 'process', 'k', false)).rejects.toMatchObject({
      code: 'BAD_MESSAGE',
      message: 'message "k" does not exist',
    });
    await cache(again, 'create', 'k', false, false);
    expect(notes).toEqual([]);
  });

  it('are gone when a newer connection with the same id supersedes the old one', async () => {
    await using hub = await startTestHub();
    const notes = await startWorker(hub);
    const first = await connectWirePeer(hub.url, 'x');
    await sendChunks(first, 'stale');
    const newer = await connectWirePeer(hub.url, 'x', { reconnection_token: first.info.reconnection_token });
    await first.socket.closed;

    await sendChunks(newer, 'fresh');
    await cache(newer, 'process', 'k', false);
    await vi.waitFor(() => expect(notes).toEqual(['fresh']));
  });
});
