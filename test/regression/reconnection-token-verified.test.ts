/**
 * Issue 9, item 6: a reconnection token with a junk signature was admitted with whatever
 * `user_id` it claimed (`root`, or another client's id), and workers saw that user in their call
 * context. Tokens are now verified: one signed with this hub's key whose signature does not match
 * is refused with a clear error; one from another key (a hub that restarted with a new secret)
 * keeps only the client id and workspace it names, which any anonymous client may ask for.
 */
import { describe, expect, it } from 'vitest';
import type { CallContext } from '@mycel/protocol';
import { connectToServer } from '@mycel/client';
import { TokenSigner } from '../../packages/server/src/tokens.js';
import { startTestHub } from '../helpers/hub.js';
import { RawSocket } from '../helpers/raw-socket.js';

const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** `token` with its claims replaced and a signature that is junk. */
function forge(token: string, claims: Record<string, unknown>): string {
  const [header, body] = token.split('.') as [string, string];
  const original = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as Record<string, unknown>;
  return `${header}.${part({ ...original, ...claims })}.${'A'.repeat(43)}`;
}

/** Does a handshake with `request`; resolves with the hub's first answer. */
async function handshake(url: string, request: Record<string, unknown>): Promise<Record<string, unknown>> {
  const socket = await RawSocket.open(url);
  socket.ws.send(JSON.stringify(request));
  return socket.nextText();
}

describe('reconnection tokens', () => {
  it('signed with this hub key but forged are refused with a clear error', async () => {
    await using hub = await startTestHub();
    const { info } = await RawSocket.connect(hub.url, 'mallory');
    const forged = forge(String(info.reconnection_token), { user_id: 'root', client_id: 'mallory2' });
    expect(await handshake(hub.url, { reconnection_token: forged })).toEqual({
      type: 'error',
      message: 'the reconnection token is invalid: its signature does not match its claims; connect without it',
    });
    expect(hub.clients.has('public/mallory2')).toBe(false);
  });

  it('from another key never lend their user to the client, so workers see the real one', async () => {
    await using hub = await startTestHub();
    const seen: unknown[] = [];
    const worker = await connectToServer({ server_url: hub.url, client_id: 'w', reconnect: false });
    await worker.registerService({
      id: 'whoami',
      config: { visibility: 'public', require_context: true },
      who: (context: CallContext) => {
        seen.push((context.user as { id?: unknown }).id);
        return 'ok';
      },
    });
    // A token as a previous hub (another secret) would have signed it, and one with no key id.
    const foreign = new TokenSigner('previous hub').sign({ client_id: 'eve', workspace: 'public', user_id: 'root' }, 600);
    const unsigned = `${part({ alg: 'HS256', typ: 'JWT' })}.${part({ client_id: 'eve2', workspace: 'public', user_id: 'root', exp: 2e9 })}.x`;
    for (const [clientId, token] of [['eve', foreign], ['eve2', unsigned]] as const) {
      const info = await handshake(hub.url, { reconnection_token: token });
      expect(info).toMatchObject({ type: 'connection_info', client_id: clientId });
      expect((info.user as { id: string }).id).toMatch(/^anonymouz-/);
    }
    const eve = await connectToServer({ server_url: hub.url, reconnect: false });
    await (await eve.getService<{ who(): string }>('whoami')).who();
    expect(seen).toHaveLength(1);
    expect(seen[0]).not.toBe('root');
    await eve.disconnect();
    await worker.disconnect();
  });

  it('that are genuine still bring a client back as itself', async () => {
    await using hub = await startTestHub();
    const { socket, info } = await RawSocket.connect(hub.url, 'alice');
    const user = (info.user as { id: string }).id;
    const back = await handshake(hub.url, { reconnection_token: info.reconnection_token });
    expect(back).toMatchObject({ type: 'connection_info', client_id: 'alice', user: { id: user } });
    socket.ws.terminate();
  });
});
