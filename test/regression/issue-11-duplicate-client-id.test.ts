/**
 * A second live client with a client id already in use is refused with a code of its own,
 * CLIENT_ID_IN_USE, which is not retryable, and a message that says how to fix it. The hub's
 * log names the remote address of the refused socket.
 */
import { describe, expect, it } from 'vitest';
import { isMycelError, RETRYABLE_CODES } from '@mycel/client';
import { connectTestClient } from '../helpers/clients.js';
import { startLoggedTestHub } from '../helpers/hub.js';
import { RawSocket } from '../helpers/raw-socket.js';

const FIX =
  '(another live connection uses client id "twin"; choose another client_id, leave it out for a random one, ' +
  "or come back with that connection's reconnection_token)";

describe('a duplicate client id', () => {
  it('is refused with CLIENT_ID_IN_USE, not retryable, saying how to fix it', async () => {
    await using hub = await startLoggedTestHub();
    await connectTestClient(hub.url, { client_id: 'twin' });
    const error: unknown = await connectTestClient(hub.url, { client_id: 'twin' }).catch((e: unknown) => e);
    expect(isMycelError(error)).toBe(true);
    if (!isMycelError(error)) return;
    expect(error.code).toBe('CLIENT_ID_IN_USE');
    expect(RETRYABLE_CODES).not.toContain(error.code);
    expect(error.message).toBe(`the hub refused the connection: client already exists and is active: public/twin ${FIX}`);
  });

  it('is refused on the wire with the code beside the message, which hypha-rpc reads', async () => {
    await using hub = await startLoggedTestHub();
    await RawSocket.connect(hub.url, 'twin');
    const second = await RawSocket.open(hub.url);
    second.ws.send(JSON.stringify({ client_id: 'twin' }));
    expect(await second.nextText()).toEqual({
      type: 'error',
      message: `client already exists and is active: public/twin ${FIX}`,
      code: 'CLIENT_ID_IN_USE',
    });
    expect((await second.closed).code).toBe(1008);
    const refused = hub.logs.find((l) => l.msg === 'connection refused');
    expect(refused?.remote).toMatch(/^127\.0\.0\.1:\d+$/);
    const connected = hub.logs.find((l) => l.msg === 'client connected');
    expect(connected).toMatchObject({ client: 'public/twin', remote: expect.stringMatching(/^127\.0\.0\.1:\d+$/) });
  });
});
