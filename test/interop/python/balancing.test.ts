/**
 * `balance:` modes with the official Python client, unchanged: a Python caller over a mix of
 * Python and SDK workers (turns, callbacks, worker errors), and an SDK caller over Python workers.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { connectToServer, type MycelClient } from '@mycel/client';
import { digestOf, interopService, pattern, type InteropService } from '../../fixtures/interop-service.js';
import { startTestHub, type TestHub } from '../../helpers/hub.js';
import { describeWithPython, startPythonAgent, type PythonAgent } from '../../helpers/python.js';

describeWithPython('balance: modes with the Python client', () => {
  let hub: TestHub;
  let agent: PythonAgent;
  let sdk: MycelClient[];

  beforeAll(async () => {
    hub = await startTestHub();
    agent = await startPythonAgent();
    sdk = await Promise.all(['ts-caller', 'ts-w0', 'ts-w1'].map((id) => connectToServer({ server_url: hub.url, client_id: id })));
    await Promise.all(['caller', 'w0', 'w1'].map((conn) => agent.request({ op: 'connect', conn, url: hub.url, client_id: `py-${conn}` })));
    await Promise.all([
      agent.request({ op: 'register', conn: 'w0', service_id: 'mixed', name: 'py-0', load: 0 }),
      agent.request({ op: 'register', conn: 'w1', service_id: 'mixed', name: 'py-1', load: 0 }),
      sdk[1]?.registerService(interopService('mixed', 'ts-0', 0)),
      sdk[2]?.registerService(interopService('mixed', 'ts-1', 0)),
    ]);
  }, 30_000);

  afterAll(async () => {
    await agent?.process.kill();
    await Promise.all((sdk ?? []).map((c) => c.disconnect()));
    await hub?.close();
  });

  /** One call of `method` from the Python caller through a `mode` proxy (the same ask reuses one target). */
  const fromPython = (method: string, args: unknown[] = [], mode = 'balance:round_robin') =>
    agent.request({ op: 'call', conn: 'caller', service: 'mixed', mode, method, args });

  it('reaches every instance in turn, Python or SDK, with callbacks and worker errors', async () => {
    const served = [];
    for (let i = 0; i < 8; i++) served.push(await fromPython('whoami'));
    expect(new Set(served)).toEqual(new Set(['py-0', 'py-1', 'ts-0', 'ts-1']));
    expect(served.slice(4)).toEqual(served.slice(0, 4));
    for (let i = 0; i < 4; i++) expect(await fromPython('apply', [{ $callback: 3 }, 7])).toBe(21);
    await expect(fromPython('fail', ['boom'])).rejects.toThrow(/boom/);
  });

  it('sends 1 MiB arguments and results through the balanced proxy, in chunks, to every instance', async () => {
    const size = 1024 * 1024;
    const expected = digestOf(pattern(size));
    for (let i = 0; i < 4; i++) expect(await fromPython('digest', [{ $bytes: size }])).toEqual(expected);
    for (let i = 0; i < 4; i++) expect(await fromPython('blob', [size])).toEqual({ $bytes: size, sha256: expected.sha256 });
    const served = [];
    for (let i = 0; i < 4; i++) served.push(await fromPython('whoami'));
    expect(new Set(served)).toEqual(new Set(['py-0', 'py-1', 'ts-0', 'ts-1']));
    expect(hub.chunkRelays.size).toBe(0);
  });

  it('is refused a malformed balance mode, naming the valid forms', async () => {
    await expect(fromPython('whoami', [], 'balance:fastest')).rejects.toThrow(/"balance:least_latency"/);
  });

  it('lets an SDK caller balance over the Python instances', async () => {
    const proxy = await sdk[0]!.getService<InteropService>('mixed', { mode: 'balance:least_inflight' });
    const served = new Set(await Promise.all(Array.from({ length: 16 }, () => proxy.whoami())));
    expect(served.size).toBeGreaterThan(1);
    expect(await proxy.apply(async (x: number) => x * 3, 7)).toBe(21);
  });
});
