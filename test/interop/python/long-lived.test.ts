/**
 * Long-lived interfaces (`_rintf`) with the official Python client, both ways: a Python caller
 * gives one to an SDK worker, and an SDK caller gives one (`longLived`) to a Python worker; each
 * worker calls it after the call ended and releases it with `_dispose()`.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { connectToServer, longLived, type MycelClient } from '@mycel/client';
import type { InteropService } from '../../fixtures/interop-service.js';
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
    await agent.request({ op: 'connect', conn: 'worker', url: hub.url, client_id: 'py-keeper' });
    await agent.request({ op: 'register', conn: 'worker', service_id: 'pykeeper', name: 'py-keeper' });
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

  it('given by an SDK caller to a Python worker, are called later until the worker disposes of them', async () => {
    const keeper = await worker.getService<InteropService>('pykeeper');
    const seen: number[] = [];
    const index = await keeper.keep(longLived({ progress: (n: number) => (seen.push(n), n * 2) }));
    const fnIndex = await keeper.keep(longLived((n: number) => n + 1));
    expect(await keeper.fire(index, 3)).toBe(6);
    expect(await keeper.fire(fnIndex, 3)).toBe(4);
    expect(await keeper.dispose(index)).toBe(true);
    await expect(keeper.fire(index, 4)).rejects.toThrow(/long-lived interface "_rintf_[\w-]+" is gone/);
    expect(seen).toEqual([3]);
    // An ordinary callback kept past its call fails, saying what to use instead.
    const plain = await keeper.keep((n: number) => n);
    await expect(keeper.fire(plain, 1)).rejects.toThrow(/it was passed with a call that has ended/);
  });
});
