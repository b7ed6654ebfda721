/**
 * Calls made while the hub is away: by default they reject at once (`not connected to the hub`);
 * with `waitForReconnect` they wait for the reconnection and go out then, up to their own
 * timeout.
 */
import { describe, expect, it, onTestFinished } from 'vitest';
import { connectToServer, type ConnectOptions, type MycelClient } from '@mycel/client';
import { startTestHub, type TestHub } from '../helpers/hub.js';

async function connect(hub: TestHub, options: Omit<ConnectOptions, 'server_url'> = {}): Promise<MycelClient> {
  const client = await connectToServer({ server_url: hub.url, ...options });
  onTestFinished(() => client.disconnect());
  return client;
}

/** Closes `hub` and resolves once `client` noticed. */
async function takeAway(hub: TestHub, client: MycelClient): Promise<void> {
  const noticed = new Promise<void>((resolve) => client.once('disconnected', () => resolve()));
  await hub.close();
  await noticed;
}

describe('calls during a hub outage', () => {
  it('reject at once by default', async () => {
    const hub = await startTestHub();
    const client = await connect(hub);
    await takeAway(hub, client);
    await expect(client.echo('now?')).rejects.toThrow('not connected to the hub');
  });

  it('wait for the reconnection with waitForReconnect, service calls and manager calls alike', async () => {
    const first = await startTestHub();
    const client = await connect(first, { client_id: 'patient', waitForReconnect: true });
    await client.registerService({ id: 'math', add: (a: number, b: number) => a + b });
    const math = await client.getService<{ add(a: number, b: number): number }>('math');
    await takeAway(first, client);

    const sum = math.add(1, 2);
    const echoed = client.echo('later');
    const second = await startTestHub({ port: first.port });
    onTestFinished(() => second.close());
    await expect(sum).resolves.toBe(3);
    await expect(echoed).resolves.toBe('later');
  });

  it('still end with a timeout when the hub does not come back in time', async () => {
    const hub = await startTestHub();
    const client = await connect(hub, { waitForReconnect: true, methodTimeoutMs: 300 });
    await takeAway(hub, client);
    await expect(client.echo('never')).rejects.toMatchObject({ code: 'TIMEOUT' });
  });
});
