/**
 * The chunk relays of balanced proxies on their own, with a fake clock: a message that idles
 * past the limit is forgotten, and a message goes to the instance its `create` picked.
 */
import { describe, expect, it } from 'vitest';
import { decodeHead, encodeFrame } from '@mycel/protocol';
import { ChunkRelays, RELAY_IDLE_MS, type ChunkRoutingHost } from '../../packages/server/src/balanced-chunks.js';
import type { ClientConnection } from '../../packages/server/src/connection.js';
import type { ServiceRecord } from '../../packages/server/src/registry.js';
import type { VirtualTarget } from '../../packages/server/src/virtual-targets.js';

const sender = { peerId: 'public/x', workspace: 'public', isOpen: true } as unknown as ClientConnection;
const virtual = { peerId: 'public/~balanced-a', owner: 'public/x', query: 'rec', callbacks: new Map() } as unknown as VirtualTarget;
const clients = new Map(['public/w0', 'public/w1'].map((id) => [id, { peerId: id, workspace: 'public', isOpen: true } as unknown as ClientConnection]));
const host = { virtualTarget: () => virtual, admit: () => true } as unknown as ChunkRoutingHost;

function chunkCall(fn: string, ...args: unknown[]): { method: string; frame: Uint8Array; restOffset: number } {
  const method = `services.built-in.message_cache.${fn}`;
  const frame = encodeFrame({ type: 'method', to: virtual.peerId, method, session: 's' }, { args, promise: '*' });
  return { method, frame, restOffset: decodeHead(frame).restOffset };
}

describe('ChunkRelays', () => {
  it('sends every chunk of a message to the instance its create picked, and forgets it after process', () => {
    const relays = new ChunkRelays(() => 0);
    const picks = ['public/w0', 'public/w1'];
    const pick = () => ({ peerId: picks.shift() }) as ServiceRecord;
    const route = (fn: string, ...args: unknown[]) => {
      const { method, frame, restOffset } = chunkCall(fn, ...args);
      return relays.routeViaVirtual(host, sender, method, frame, restOffset, virtual, pick, clients);
    };
    expect(route('create', 'k', false)).toEqual({ to: 'public/w0' });
    expect(route('set', 'k', 0, new Uint8Array(4), false)).toEqual({ to: 'public/w0' });
    expect(route('process', 'k', false)).toEqual({ to: 'public/w0' });
    expect(relays.size).toBe(0);
    expect(route('set', 'k', 1, new Uint8Array(4), false)).toMatchObject({ code: 'METHOD_NOT_FOUND' });
  });

  it('forgets a message that had no chunk for the idle limit', () => {
    let now = 0;
    const relays = new ChunkRelays(() => now);
    const pick = () => ({ peerId: 'public/w0' }) as ServiceRecord;
    const route = (fn: string, ...args: unknown[]) => {
      const { method, frame, restOffset } = chunkCall(fn, ...args);
      return relays.routeViaVirtual(host, sender, method, frame, restOffset, virtual, pick, clients);
    };
    route('create', 'k', false);
    now = RELAY_IDLE_MS - 1;
    expect(route('set', 'k', 0, new Uint8Array(4), false)).toEqual({ to: 'public/w0' });
    now += RELAY_IDLE_MS;
    expect(route('set', 'k', 1, new Uint8Array(4), false)).toEqual({
      code: 'METHOD_NOT_FOUND',
      message: `chunked message "k" through balanced service "rec" is unknown: it was not created, its instance left, or it was idle for over ${RELAY_IDLE_MS / 1000}s`,
    });
    expect(relays.size).toBe(0);
  });
});
