/**
 * Long-lived interfaces (`_rintf`) from the official Python client: a Python caller gives one to
 * an SDK worker, which calls it after the call ended and releases it with `_dispose()`.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { connectToServer, type MycelClient } from '@mycel/client';
import { startTestHub, type TestHub } from '../../helpers/hub.js';
import { describeWithPython, startPythonAgent, type PythonAgent } from '../../helpers/python.js';

type Progress = { progress(n: number): Promise<number>; _dispose(): Promise<unknown>; _rintf_service_id: string };

describeWithPython('long-lived interfaces from the Python client', () => {
  let hub: TestHub;
  let agent: PythonAgent;
  let worker: MycelClient;
  const kept: Progress[] = [];

  beforeAll(async () => {
    hub = await startTestHub();
    agent = await startPythonAgent();
    worker = await connectToServer({ server_url: hub.url, client_id: 'ts-keeper' });
    await worker.registerService({ id: 'keeper', config: { visibility: 'public' }, keep: (value: Progress) => kept.push(value) - 1 });
    await agent.request({ op: 'connect', conn: 'owner', url: hub.url, client_id: 'py-owner' });
  }, 30_000);

  afterAll(async () => {
    await agent?.process.kill();
    await worker?.disconnect();
    await hub?.close();
  });

  it('are called by the SDK worker after the call ended, until it disposes of them', async () => {
    const index = await agent.request<number>({ op: 'call', conn: 'owner', service: 'keeper', method: 'keep', args: [{ $rintf: 4 }] });
    const progress = kept[index] as Progress;
    expect(progress._rintf_service_id).toMatch(/^_rintf_/);
    expect(await progress.progress(2)).toBe(8);
    expect(await progress.progress(5)).toBe(20);
    await progress._dispose();
    await expect(progress.progress(1)).rejects.toThrow();
  });
});
