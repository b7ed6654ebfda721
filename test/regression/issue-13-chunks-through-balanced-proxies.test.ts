/**
 * Issue 13: a message over the chunk threshold sent through a `balance:` proxy was refused. Its
 * chunks now stick to the instance its `create` picked, the call it carries is answered in the
 * proxy's name, a message whose instance left fails at once with a clear error, and what the hub
 * keeps per caller is bounded and goes when the caller leaves.
 */
import { describe, expect, it, vi } from 'vitest';
import { MAX_RELAYS_PER_CALLER } from '../../packages/server/src/balanced-chunks.js';
import { connectTestClient } from '../helpers/clients.js';
import { startTestHub, type TestHub } from '../helpers/hub.js';
import { connectWirePeer, type WirePeer } from '../helpers/wire-peer.js';

/** Two SDK workers of service `rec` whose `note` records who got what. */
async function startWorkers(hub: TestHub): Promise<{ notes: string[]; leave(name: string): Promise<void> }> {
  const notes: string[] = [];
  const workers = new Map<string, Awaited<ReturnType<typeof connectTestClient>>>();
  for (const name of ['w0', 'w1']) {
    const worker = await connectTestClient(hub.url, { client_id: name, reconnect: false });
    workers.set(name, worker);
    await worker.registerService({
      id: 'rec',
      config: { visibility: 'public' },
      whoami: () => name,
      note: (text: string) => (notes.push(`${name}:${text}`), `${name} noted ${text}`),
    });
  }
  return { notes, leave: async (name) => workers.get(name)?.disconnect() };
}

/** A bare caller and the virtual peer of its `balance:round_robin` proxy of `rec`. */
async function balancedCaller(hub: TestHub, id = 'x'): Promise<{ caller: WirePeer; target: string }> {
  const caller = await connectWirePeer(hub.url, id);
  const service = (await caller.peer.call(hub.managerId, 'services.default.get_service', ['rec', { mode: 'balance:round_robin' }])) as { id: string };
  return { caller, target: service.id.slice(0, service.id.indexOf(':')) };
}

function cache(caller: WirePeer, target: string, fn: string, ...args: unknown[]): Promise<unknown> {
  return caller.peer.call(target, `services.built-in.message_cache.${fn}`, args);
}

/** The frame of a call of `note(text)` through `target`, held back to be sent in chunks; and its answer. */
function heldCall(caller: WirePeer, target: string, text: string): { frame: Uint8Array; answer: Promise<unknown> } {
  let frame: Uint8Array | undefined;
  caller.divert = (f) => {
    frame = f;
    return true;
  };
  const answer = caller.peer.call(target, 'services.rec.note', [text]);
  caller.divert = undefined;
  if (!frame) throw new Error('the call frame was not captured');
  return { frame, answer };
}

describe('chunked messages through a balanced proxy', () => {
  it('go to the instance their create picked, and the call they carry is answered in the proxy name', async () => {
    await using hub = await startTestHub();
    const { notes } = await startWorkers(hub);
    const { caller, target } = await balancedCaller(hub);
    await cache(caller, target, 'create', 'k', false);
    // Calls in between move the turn on; the message's chunks do not follow it.
    const between = [await caller.peer.call(target, 'services.rec.whoami'), await caller.peer.call(target, 'services.rec.whoami')];
    expect(new Set(between)).toEqual(new Set(['w0', 'w1']));
    const { frame, answer } = heldCall(caller, target, 'big');
    // The first chunk holds the carried call's header, as a real (256 KiB) one does.
    const cut = frame.length - 4;
    await cache(caller, target, 'set', 'k', 1, frame.subarray(cut), false);
    await cache(caller, target, 'set', 'k', 0, frame.subarray(0, cut), false);
    await cache(caller, target, 'process', 'k', false);
    const noted = String(await answer);
    expect(noted).toMatch(/^w[01] noted big$/);
    expect(notes).toEqual([`${noted.slice(0, 2)}:big`]);
    expect(hub.chunkRelays.size).toBe(0);
  });

  it('fail at once, naming the message, when the instance receiving them left', async () => {
    await using hub = await startTestHub();
    const { notes, leave } = await startWorkers(hub);
    const { caller, target } = await balancedCaller(hub);
    await cache(caller, target, 'create', 'k', false);
    const { frame, answer } = heldCall(caller, target, 'lost');
    const outcome = answer.catch((error: unknown) => error);
    await cache(caller, target, 'set', 'k', 0, frame, false);
    // Which instance took it: the next plain call goes to the other one.
    const other = String(await caller.peer.call(target, 'services.rec.whoami'));
    await leave(other === 'w0' ? 'w1' : 'w0');
    await vi.waitFor(() => expect(hub.registry.query('rec', 'public')).toHaveLength(1));
    await expect(cache(caller, target, 'process', 'k', false)).rejects.toThrow(
      /^chunked message "k" through balanced service "rec" is unknown: it was not created, its instance left, or it was idle for over 300s$/,
    );
    expect(notes).toEqual([]);
    expect(hub.chunkRelays.size).toBe(0);
    // The carried call never ran; it ends with its caller's connection.
    caller.socket.ws.terminate();
    await expect(outcome).resolves.toMatchObject({ code: 'CONNECTION_CLOSED' });
  });

  it('are bounded per caller and forgotten when the caller leaves', async () => {
    await using hub = await startTestHub();
    await startWorkers(hub);
    const { caller, target } = await balancedCaller(hub);
    for (let i = 0; i < MAX_RELAYS_PER_CALLER; i++) await cache(caller, target, 'create', `k${i}`, false);
    await expect(cache(caller, target, 'create', 'one-more', false)).rejects.toMatchObject({
      code: 'LIMIT_EXCEEDED',
      message: `too many chunked messages from "public/x" on their way through balanced services (limit ${MAX_RELAYS_PER_CALLER})`,
    });
    expect(hub.chunkRelays.size).toBe(MAX_RELAYS_PER_CALLER);
    caller.socket.ws.terminate();
    await vi.waitFor(() => expect(hub.chunkRelays.size).toBe(0));
  });
});
