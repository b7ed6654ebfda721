/**
 * Bytes queued for clients that do not read are bounded for the hub as a whole. Each client had
 * its own bound (`maxBufferedBytes`, 64 MiB), but they added up: six clients that never read
 * pinned about 650 MiB. Past `maxTotalBufferedBytes` (256 MiB by default) the client with the
 * most queued is dropped, though none is past its own bound.
 */
import { Writable } from 'node:stream';
import pino from 'pino';
import { describe, expect, it, vi } from 'vitest';
import { WebSocket } from 'ws';
import type { WebSocketConstructor } from '@mycel/client';
import { connectTestClient } from '../helpers/clients.js';
import { startTestHub } from '../helpers/hub.js';

const MiB = 1024 * 1024;
const SLEEPERS = 3;

/** A client with a service `sink`; returns the way to make it stop reading its socket. */
async function sleeper(url: string, id: string): Promise<() => void> {
  let socket: WebSocket | undefined;
  class RecordingWebSocket extends WebSocket {
    constructor(target: string) {
      super(target);
      socket = this;
    }
  }
  const client = await connectTestClient(url, {
    client_id: id,
    reconnect: false,
    WebSocket: RecordingWebSocket as unknown as WebSocketConstructor,
  });
  await client.registerService({ id: 'sink', config: { visibility: 'public' }, take: (b: Uint8Array) => b.length });
  return () => (socket as unknown as { _socket: { pause(): void } })._socket.pause();
}

describe('bytes queued for clients that do not read', () => {
  it('are bounded hub-wide: the client with the most queued is dropped, others go on', async () => {
    const reasons: string[] = [];
    const logs = new Writable({
      write(line: Buffer, _encoding, done) {
        const entry = JSON.parse(line.toString()) as { msg?: string; reason?: string };
        if (entry.msg === 'dropping client' && entry.reason) reasons.push(entry.reason);
        done();
      },
    });
    // Each may have 64 MiB queued, all together 8 MiB.
    await using hub = await startTestHub({ maxTotalBufferedBytes: 8 * MiB, logger: pino({ level: 'warn' }, logs) });
    const pauses: Array<() => void> = [];
    for (let i = 0; i < SLEEPERS; i++) pauses.push(await sleeper(hub.url, `sleeper${i}`));
    const caller = await connectTestClient(hub.url, { reconnect: false, methodTimeoutMs: 60_000 });
    const sinks = await Promise.all(
      Array.from({ length: SLEEPERS }, (_, i) => caller.getService<{ take(b: Uint8Array): number }>(`sleeper${i}:sink`)),
    );
    for (const pause of pauses) pause();

    // 16 MiB for each, in turn: far below each one's own bound, twice the hub's in all. In 256 KiB
    // calls: a larger message goes in chunks, each waiting for the receiver's answer, so a client
    // that does not read would never have more than a chunk of it queued.
    const payload = new Uint8Array(MiB / 4);
    for (let n = 0; n < 64; n++) for (const sink of sinks) sink.take(payload).catch(() => {});
    await vi.waitFor(() => expect(reasons.length).toBeGreaterThan(0), { timeout: 15_000 });
    // Dropped for the hub's bound, not its own (64 MiB, which 16 MiB never reaches).
    expect(new Set(reasons)).toEqual(new Set([`more than ${8 * MiB} bytes queued for all clients, and the most of it for this one`]));
    await vi.waitFor(() => expect([...hub.clients.keys()].filter((id) => id.includes('sleeper')).length).toBeLessThan(SLEEPERS));
    expect(await caller.echo('still served')).toBe('still served');
  }, 30_000);
});
