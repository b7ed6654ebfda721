/**
 * Issue 10: a result over the hub's 16 MiB frame limit closed the worker's whole connection
 * (1009) and failed its other calls. Large messages now go in chunks; one over the sender's
 * message limit fails its own call with the size and the limit, and every connection stays up.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_MAX_MESSAGE_BYTES, type MycelError } from '@mycel/protocol';
import { connectTestClient } from '../helpers/clients.js';
import { startTestHub } from '../helpers/hub.js';

const MIB = 1024 * 1024;

describe('messages over the frame and message limits', () => {
  it('carries a 20 MiB result (over the 16 MiB frame limit) and a 20 MiB argument through the hub', async () => {
    await using hub = await startTestHub();
    const worker = await connectTestClient(hub.url, { client_id: 'big' });
    await worker.registerService({ id: 'bytes', config: { visibility: 'public' }, make: (n: number) => new Uint8Array(n).fill(7), size: (b: Uint8Array) => b.length });
    const caller = await connectTestClient(hub.url);
    const bytes = await caller.getService<{ make(n: number): Uint8Array; size(b: Uint8Array): number }>('bytes');
    const result = await bytes.make(20 * MIB);
    expect(result.length).toBe(20 * MIB);
    expect(result[20 * MIB - 1]).toBe(7);
    expect(await bytes.size(new Uint8Array(20 * MIB))).toBe(20 * MIB);
  });

  it('fails only the call whose result is over the message limit, naming the size and the limit', async () => {
    await using hub = await startTestHub();
    const worker = await connectTestClient(hub.url, { client_id: 'huge' });
    await worker.registerService({ id: 'bytes', config: { visibility: 'public' }, make: (n: number) => new Uint8Array(n), echo: (x: unknown) => x });
    const socket = hub.clients.get('public/huge');
    const caller = await connectTestClient(hub.url);
    const bytes = await caller.getService<{ make(n: number): Uint8Array; echo(x: unknown): unknown }>('bytes');
    const error = (await bytes.make(DEFAULT_MAX_MESSAGE_BYTES + MIB).catch((e: unknown) => e)) as MycelError;
    expect(error.message).toMatch(new RegExp(`^result of \\d+ bytes is larger than the limit of ${DEFAULT_MAX_MESSAGE_BYTES} bytes$`));
    expect(await bytes.echo('still here')).toBe('still here');
    expect(hub.clients.get('public/huge')).toBe(socket);
  });

  it('fails a call whose arguments are over the message limit before sending anything', async () => {
    await using hub = await startTestHub();
    const worker = await connectTestClient(hub.url);
    await worker.registerService({ id: 'sink', config: { visibility: 'public' }, size: (b: Uint8Array) => b.length });
    const caller = await connectTestClient(hub.url, { client_id: 'sender' });
    const socket = hub.clients.get('public/sender');
    const sink = await caller.getService<{ size(b: Uint8Array): number }>('sink');
    const error = (await sink.size(new Uint8Array(DEFAULT_MAX_MESSAGE_BYTES + MIB)).catch((e: unknown) => e)) as MycelError;
    expect(error.code).toBe('LIMIT_EXCEEDED');
    expect(error.message).toMatch(new RegExp(`^call "services\\.sink\\.size" of \\d+ bytes is larger than the limit of ${DEFAULT_MAX_MESSAGE_BYTES} bytes$`));
    expect(await sink.size(new Uint8Array(3))).toBe(3);
    expect(hub.clients.get('public/sender')).toBe(socket);
  });
});
