/**
 * The hub bounds how many sockets it holds. There was no cap: per-client limits did not add up to
 * a hub-wide bound. Past `maxConnections` (10 000 by default; handshakes in progress count) a new
 * socket is closed at once with 1013, "try again later", which clients treat as a reason to retry.
 */
import { describe, expect, it, vi } from 'vitest';
import { connectToServer } from '@mycel/client';
import { startTestHub } from '../helpers/hub.js';
import { RawSocket } from '../helpers/raw-socket.js';

describe('the number of connections', () => {
  it('is capped: one more socket is closed with 1013 until one leaves', async () => {
    await using hub = await startTestHub({ maxConnections: 3 });
    // Two admitted clients and one socket that never says who it is.
    const { socket: first } = await RawSocket.connect(hub.url, 'one');
    await RawSocket.connect(hub.url, 'two');
    await RawSocket.open(hub.url);

    const extra = await RawSocket.open(hub.url);
    extra.ws.send(JSON.stringify({ client_id: 'four' }));
    const outcome = await extra.nextText().then(
      (answer) => ({ answer }),
      () => extra.closed,
    );
    expect(outcome).toEqual({ code: 1013, reason: 'hub is full (3 connections): try again later' });

    const refused = await connectToServer({ server_url: hub.url, reconnect: false }).catch((e: unknown) => e);
    expect(refused).toMatchObject({ code: 'CONNECTION_CLOSED' });
    expect((refused as Error).message).toContain('(code 1013: hub is full (3 connections): try again later)');

    first.ws.terminate();
    await vi.waitFor(async () => {
      const client = await connectToServer({ server_url: hub.url, reconnect: false });
      await client.disconnect();
    });
  });
});
