/**
 * Selection modes over a mix of Python and SDK workers, asked by every kind of caller, and events
 * between Python and SDK peers.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { connectToServer, type HubEvent, type MycelClient } from '@mycel/client';
import { interopService } from '../../fixtures/interop-service.js';
import { connectHypha, type HyphaApi } from '../../helpers/hypha.js';
import { startTestHub, type TestHub } from '../../helpers/hub.js';
import { describeWithPython, startPythonAgent, type PythonAgent } from '../../helpers/python.js';

describeWithPython('selection and events across Python and SDK peers', () => {
  let hub: TestHub;
  let agent: PythonAgent;
  let sdk: MycelClient[];
  let js: HyphaApi;

  beforeAll(async () => {
    hub = await startTestHub();
    let caller: MycelClient;
    [agent, caller, js] = await Promise.all([startPythonAgent(), connectToServer({ server_url: hub.url, client_id: 'ts-caller' }), connectHypha(hub.url)]);
    const workers = await Promise.all([0, 1, 2].map((i) => connectToServer({ server_url: hub.url, client_id: `ts-w${i}` })));
    sdk = [caller, ...workers];
    await Promise.all(['caller', 'w1', 'w2', 'w3'].map((conn) => agent.request({ op: 'connect', conn, url: hub.url, client_id: `py-${conn}` })));
    // "mixed": the least loaded is a Python worker, the most loaded an SDK one; "mixed-2" the other way round.
    await Promise.all([
      agent.request({ op: 'register', conn: 'w1', service_id: 'mixed', name: 'py-0.1', load: 0.1 }),
      agent.request({ op: 'register', conn: 'w2', service_id: 'mixed', name: 'py-0.6', load: 0.6 }),
      agent.request({ op: 'register', conn: 'w3', service_id: 'mixed-2', name: 'py-0.9', load: 0.9 }),
      workers[0]?.registerService(interopService('mixed', 'ts-0.3', 0.3)),
      workers[1]?.registerService(interopService('mixed', 'ts-0.9', 0.9)),
      workers[2]?.registerService(interopService('mixed-2', 'ts-0.1', 0.1)),
    ]);
  }, 30_000);

  afterAll(async () => {
    await agent?.process.kill();
    await Promise.all([...(sdk ?? []).map((c) => c.disconnect()), js?.disconnect()]);
    await hub?.close();
  });

  /** Who answers `whoami` on the instance each kind of caller gets for `service` in `mode`. */
  const chosenBy = {
    python: (service: string, mode: string) => agent.request({ op: 'call', conn: 'caller', service, mode, method: 'whoami' }),
    sdk: async (service: string, mode: string) => (await sdk[0]!.getService<{ whoami(): string }>(service, { mode })).whoami(),
    'sdk selecting on the client': async (service: string, mode: string) =>
      (await sdk[0]!.getService<{ whoami(): string }>(service, { mode, selectOn: 'client' })).whoami(),
    'hypha-rpc JS': async (service: string, mode: string) => (await js.getService(service, { mode })).whoami?.(),
  };

  describe.each(Object.keys(chosenBy) as (keyof typeof chosenBy)[])('a %s caller', (kind) => {
    it('gets the least and the most loaded instance, Python or SDK', async () => {
      const choose = chosenBy[kind];
      expect(await choose('mixed', 'select:min:get_load')).toBe('py-0.1');
      expect(await choose('mixed', 'select:max:get_load')).toBe('ts-0.9');
      expect(await choose('mixed-2', 'select:min:get_load')).toBe('ts-0.1');
      expect(await choose('mixed-2', 'select:max:get_load')).toBe('py-0.9');
      expect(['py-0.1', 'py-0.6', 'ts-0.3', 'ts-0.9']).toContain(await choose('mixed', 'select:first_success:get_load'));
    });
  });

  it('delivers events from SDK to Python and from Python to SDK and Python subscribers', async () => {
    const [sdkListener] = sdk;
    const heard: unknown[] = [];
    sdkListener!.on('interop-news', (event: HubEvent) => heard.push(event.data));
    await sdkListener!.subscribe('interop-news');
    expect(await agent.request({ op: 'subscribe', conn: 'caller', type: 'interop-news' })).toBe(true);
    expect(await agent.request({ op: 'subscribe', conn: 'w3', type: 'interop-news' })).toBe(true);

    await sdk[1]!.emit({ type: 'interop-news', to: '*', data: { from: 'sdk', n: 1 } });
    await agent.request({ op: 'emit', conn: 'w1', type: 'interop-news', data: { from: 'python', n: 2 } });

    await vi.waitFor(async () => {
      expect(heard).toContainEqual({ from: 'python', n: 2 });
      for (const conn of ['caller', 'w3']) {
        expect(await agent.request({ op: 'events', conn })).toEqual(expect.arrayContaining([{ from: 'sdk', n: 1 }, { from: 'python', n: 2 }]));
      }
    });
    // Only subscribers hear them: w2 never subscribed.
    expect(await agent.request({ op: 'events', conn: 'w2' })).toEqual([]);
  });
});
