/**
 * A `select:` mode whose function no instance has (a typo: `select:min:get_lod`) keeps the rule
 * of the seed (nobody answers: a random choice) but is visible: the hub logs a warning naming
 * the service and the function, and `strict: true` turns it into a `METHOD_NOT_FOUND` error.
 */
import { describe, expect, it, onTestFinished } from 'vitest';
import { connectTestClient } from '../helpers/clients.js';
import { startLoggedTestHub, type LogLine } from '../helpers/hub.js';
import { connectHypha } from '../helpers/hypha.js';

async function twoWorkers(url: string): Promise<void> {
  for (const [id, load] of [['a', 0.5], ['b', 0.2]] as const) {
    const worker = await connectTestClient(url, { client_id: `worker-${id}` });
    await worker.registerService({ id: 'svc', name: id, get_load: () => load });
  }
}

const warnings = (logs: LogLine[]) => logs.filter((l) => l.msg === 'no instance has the select function: chose at random');

describe('select: with a function no instance has', () => {
  it('still chooses one, and the hub warns naming the service and the function', async () => {
    await using hub = await startLoggedTestHub();
    await twoWorkers(hub.url);
    const client = await connectTestClient(hub.url);
    const proxy = await client.getService('svc', { mode: 'select:min:get_lod' });
    expect(['public/worker-a:svc', 'public/worker-b:svc']).toContain(proxy.id);
    expect(warnings(hub.logs)).toEqual([expect.objectContaining({ level: 40, service: 'svc', fn: 'get_lod', instances: 2 })]);
  });

  it('is an error with strict: true', async () => {
    await using hub = await startLoggedTestHub();
    await twoWorkers(hub.url);
    const client = await connectTestClient(hub.url);
    await expect(client.getService('svc', { mode: 'select:min:get_lod', strict: true })).rejects.toMatchObject({
      code: 'METHOD_NOT_FOUND',
      message: 'no instance of "svc" has a function "get_lod" (mode "select:min:get_lod"): check its name, or leave out strict to choose at random',
    });
  });

  it('neither warns nor fails when an instance has it', async () => {
    await using hub = await startLoggedTestHub();
    await twoWorkers(hub.url);
    const client = await connectTestClient(hub.url);
    const proxy = await client.getService('svc', { mode: 'select:min:get_load', strict: true });
    expect(proxy.id).toBe('public/worker-b:svc');
    expect(warnings(hub.logs)).toEqual([]);
  });

  it('is recognised on hypha-rpc workers too, whose answer has no code', async () => {
    await using hub = await startLoggedTestHub();
    for (const id of ['ha', 'hb']) {
      const worker = await connectHypha(hub.url, { client_id: id });
      onTestFinished(() => worker.disconnect());
      await worker.registerService({ id: 'hsvc', config: { visibility: 'public' }, get_load: () => 0.1 });
    }
    const client = await connectTestClient(hub.url);
    await expect(client.getService('hsvc', { mode: 'select:max:get_lod', strict: true })).rejects.toMatchObject({ code: 'METHOD_NOT_FOUND' });
  });
});
