/**
 * Connection mistakes get messages that say what happened, with the runtime's error as `cause`:
 * a port nobody listens on, https:// against a plain hub, a wrong path, a URL without a scheme.
 * The first connect tries once by default; `waitForHubMs` makes it wait for a hub that comes
 * up a moment later, and never retries what waiting cannot fix.
 */
import { describe, expect, it, onTestFinished, vi } from 'vitest';
import { connectToServer, isMycelError, type ConnectOptions } from '@mycel/client';
import { startTestHub } from '../helpers/hub.js';

/** A loopback port nobody listens on (a hub's, closed). */
async function freePort(): Promise<number> {
  const hub = await startTestHub();
  await hub.close();
  return hub.port;
}

type Failure = Error & { code?: string; cause?: { code?: string } };

async function failure(options: ConnectOptions): Promise<Failure> {
  const outcome = await connectToServer({ reconnect: false, ...options }).then(
    async (client) => {
      await client.disconnect();
      return new Error('connected');
    },
    (error: unknown) => error as Error,
  );
  return outcome as Failure;
}

/** A logger that remembers its messages. */
function recorder(): { lines: string[]; logger: ConnectOptions['logger'] } {
  const lines: string[] = [];
  const push = (_obj: object, msg: string) => void lines.push(msg);
  return { lines, logger: { debug: push, info: push, warn: push, error: push } };
}

describe('connectToServer', () => {
  it('says nothing listens on a refused port, and keeps the system error as cause', async () => {
    const port = await freePort();
    const error = await failure({ server_url: `http://127.0.0.1:${port}` });
    expect(error.message).toBe(
      `cannot connect to "ws://127.0.0.1:${port}/ws": nothing listens on 127.0.0.1:${port} (connection refused); ` +
        'is the hub running? (npx mycel-hub)',
    );
    expect(isMycelError(error) && error.code).toBe('CONNECTION_CLOSED');
    expect(error.cause?.code).toBe('ECONNREFUSED');
  });

  it('says to use http:// when https:// meets a plain hub', async () => {
    await using hub = await startTestHub();
    const url = hub.url.replace('http://', 'https://');
    const error = await failure({ server_url: url });
    expect(error.message).toMatch(/^cannot connect to "wss:\/\/127\.0\.0\.1:\d+\/ws": the TLS handshake failed; .* use http:\/\/ \(or ws:\/\/\), not https:\/\//);
    expect(error.cause).toBeInstanceOf(Error);
  });

  it('says the path is wrong when the server does not upgrade it', async () => {
    await using hub = await startTestHub();
    const error = await failure({ server_url: `${hub.url}/api` });
    expect(error.message).toBe(
      `cannot connect to "${hub.url.replace('http', 'ws')}/api/ws": the server answered HTTP 400 instead of a WebSocket upgrade; ` +
        "is the path right? Give the hub's base URL (http://host:port); the SDK adds the hub's WebSocket path /ws",
    );
    expect(error.cause).toBeInstanceOf(Error);
  });

  it('refuses a URL without a scheme with a TypeError that shows the fix', async () => {
    const error = await failure({ server_url: '127.0.0.1:9527' });
    expect(error).toBeInstanceOf(TypeError);
    expect(error.message).toBe('server_url "127.0.0.1:9527" needs a scheme: write http://127.0.0.1:9527 (or https://, ws://, wss://)');
  });

  it('tries once by default', async () => {
    const port = await freePort();
    const { lines, logger } = recorder();
    await failure({ server_url: `http://127.0.0.1:${port}`, logger });
    expect(lines).not.toContain('hub not reachable yet; trying again');
  });

  it('waits for a hub that comes up later when asked to (waitForHubMs)', async () => {
    const port = await freePort();
    const { lines, logger } = recorder();
    const connecting = connectToServer({ server_url: `http://127.0.0.1:${port}`, waitForHubMs: 15_000, logger });
    // The hub starts only once the worker has been refused at least once.
    await vi.waitFor(() => expect(lines).toContain('hub not reachable yet; trying again'), { timeout: 5_000 });
    const hub = await startTestHub({ port });
    onTestFinished(() => hub.close());
    const client = await connecting;
    onTestFinished(() => client.disconnect());
    expect(await client.echo('up')).toBe('up');
  });

  it('does not wait on what waiting cannot fix', async () => {
    await using hub = await startTestHub();
    const { lines, logger } = recorder();
    const error = await failure({ server_url: `${hub.url}/api`, waitForHubMs: 15_000, logger });
    expect(error.message).toContain('answered HTTP 400');
    expect(lines).not.toContain('hub not reachable yet; trying again');
  });
});
