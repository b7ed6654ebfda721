import { afterEach, describe, expect, it } from 'vitest';
import { connectHypha, type HyphaApi } from '../helpers/hypha.js';
import { startTestHub } from '../helpers/hub.js';

const clients: HyphaApi[] = [];
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.disconnect()));
});

describe('hub', () => {
  it('serves a hypha-rpc worker and caller', async () => {
    await using hub = await startTestHub();
    const worker = await connectHypha(hub.url, { client_id: 'w1' });
    clients.push(worker);
    await worker.registerService({ id: 'math', add: (a: number, b: number) => a + b });
    const caller = await connectHypha(hub.url);
    clients.push(caller);
    const math = await caller.getService('math');
    expect(await math.add?.(2, 3)).toBe(5);
  });
});
