/**
 * `balance:` proxies and the config around them, end to end: instance `priority` (failover
 * levels) and `metadata` with the caller's `match`; the checks of both configs; the bound of
 * balanced services per client and their release when the client leaves.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { connectToServer, type MycelClient, type ServiceProxy } from '@mycel/client';
import { hubWithCaller, rejection } from '../helpers/balancing.js';
import type { TestHub } from '../helpers/hub.js';

interface Who {
  who(): string;
}

const cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  await Promise.all(cleanup.splice(0).map((f) => f()));
});


async function startWorker(hub: TestHub, name: string, config: Record<string, unknown> = {}): Promise<MycelClient> {
  const worker = await connectToServer({ server_url: hub.url, client_id: name });
  cleanup.push(() => worker.disconnect());
  await worker.registerService({ id: 'who', config: { visibility: 'public', ...config }, who: () => name });
  return worker;
}

async function served(proxy: ServiceProxy<Who>, calls: number): Promise<Set<string>> {
  const names = new Set<string>();
  for (let i = 0; i < calls; i++) names.add(await proxy.who());
  return names;
}


describe('priority failover', () => {
  it('serves from the lowest level, fails over when it empties, and gives back when it returns', async () => {
    const { hub, caller } = await hubWithCaller(cleanup);
    const primary = await startWorker(hub, 'primary', { priority: 0 });
    await startWorker(hub, 'backup-a', { priority: 1 });
    await startWorker(hub, 'backup-b', { priority: 1 });
    await startWorker(hub, 'last-resort', { priority: 2 });
    const proxy = await caller.getService<Who>('who', { mode: 'balance:round_robin' });
    expect(await served(proxy, 6)).toEqual(new Set(['primary']));
    await primary.disconnect();
    await vi.waitFor(() => expect(hub.registry.query('who', 'public')).toHaveLength(3));
    expect(await served(proxy, 6)).toEqual(new Set(['backup-a', 'backup-b']));
    await startWorker(hub, 'primary-again', { priority: 0 });
    expect(await served(proxy, 6)).toEqual(new Set(['primary-again']));
  });
});

describe('match', () => {
  it('sends calls only to instances whose metadata has the values asked for', async () => {
    const { hub, caller } = await hubWithCaller(cleanup);
    await startWorker(hub, 'eu-1', { metadata: { region: 'eu', tier: 'gpu' } });
    await startWorker(hub, 'eu-2', { metadata: { region: 'eu', tier: 'cpu' } });
    await startWorker(hub, 'us-1', { metadata: { region: 'us', tier: 'gpu' } });
    await startWorker(hub, 'bare');
    const eu = await caller.getService<Who>('who', { mode: 'balance:round_robin', match: { region: 'eu' } });
    expect(await served(eu, 8)).toEqual(new Set(['eu-1', 'eu-2']));
    const gpu = await caller.getService<Who>('who', { mode: 'balance:round_robin', match: { region: 'eu', tier: 'gpu' } });
    expect(await served(gpu, 4)).toEqual(new Set(['eu-1']));
    const none = await rejection(caller.getService<Who>('who', { mode: 'balance:round_robin', match: { region: 'mars' } }));
    expect(none.code).toBe('SERVICE_NOT_FOUND');
    expect(none.message).toMatchInlineSnapshot(`"service "who" matching {"region":"mars"} not found"`);
  });
});

describe('config checks', () => {
  it('refuses malformed balance modes, naming the valid forms', async () => {
    const { hub, caller } = await hubWithCaller(cleanup);
    await startWorker(hub, 'w0');
    for (const mode of ['balance:bogus', 'balance:', 'balance:round-robin', 'balance:min']) {
      const error = await rejection(caller.getService('who', { mode }));
      expect(error.code).toBe('BAD_MODE');
      expect(error.message).toContain('"balance:round_robin"');
      expect(error.message).toContain('"balance:hash"');
    }
  });

  it('refuses balance:min / balance:max, which need load reports', async () => {
    const { hub, caller } = await hubWithCaller(cleanup);
    await startWorker(hub, 'w0');
    const error = await rejection(caller.getService('who', { mode: 'balance:min:get_load' }));
    expect(error.code).toBe('BAD_MODE');
    expect(error.message).toMatchInlineSnapshot(`"mode "balance:min:get_load" needs load reports, which come in a later version of the hub; use "select:min:get_load" (asks every instance once) or "balance:least_inflight" meanwhile"`);
  });

  it('refuses ill-typed caller fields it knows and ignores unknown ones', async () => {
    const { hub, caller } = await hubWithCaller(cleanup);
    await startWorker(hub, 'w0');
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ match: 'eu' }, 'config "match" must be an object of strings, got "eu"'],
      [{ match: { region: 1 } }, 'config "match.region" must be a string, got 1'],
      [{ key: { id: 1 } }, 'config "key" must be a string of at most 256 characters, got {"id":1}'],
      [{ retry: 'yes' }, 'config "retry" must be a boolean or an integer from 0 to 100, got "yes"'],
      [{ affinity_ttl: -1 }, 'config "affinity_ttl" must be a number of seconds >= 0, got -1'],
      [{ affinity_max_entries: 0.5 }, 'config "affinity_max_entries" must be an integer from 1 to 1000000, got 0.5'],
      [{ timeout: 'soon' }, 'config "timeout" must be a number of seconds > 0, got "soon"'],
    ];
    for (const [config, message] of cases) {
      const error = await rejection(caller.getService('who', { mode: 'balance:round_robin', ...config }));
      expect(error.code).toBe('BAD_MESSAGE');
      expect(error.message).toBe(message);
    }
    const proxy = await caller.getService<Who>('who', { mode: 'balance:round_robin', shiny_new_option: { any: 'thing' }, retry: 2 });
    expect(await proxy.who()).toBe('w0');
  });

  it('refuses a registration with an ill-typed balancing field, naming it', async () => {
    const { hub } = await hubWithCaller(cleanup);
    const worker = await connectToServer({ server_url: hub.url, client_id: 'bad-worker' });
    cleanup.push(() => worker.disconnect());
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ weight: 0 }, 'service config "weight" must be an integer from 1 to 1000000, got 0'],
      [{ weight: 1.5 }, 'service config "weight" must be an integer from 1 to 1000000, got 1.5'],
      [{ priority: -1 }, 'service config "priority" must be an integer from 0 to 1000, got -1'],
      [{ max_concurrency: '4' }, 'service config "max_concurrency" must be an integer from 1 to 1000000000, got "4"'],
      [{ metadata: ['eu'] }, 'service config "metadata" must be an object of strings, got ["eu"]'],
      [{ metadata: { region: 5 } }, 'service config "metadata.region" must be a string, got 5'],
    ];
    for (const [config, message] of cases) {
      const error = await rejection(worker.registerService({ id: 'who', config, who: () => 'bad' }));
      expect(error.message).toBe(message);
    }
    expect(hub.registry.query('who', 'public')).toHaveLength(0);
  });
});

describe('balanced services per client', () => {
  it('reuses the target of the same ask, bounds distinct ones, and frees them when the client leaves', async () => {
    const { hub, caller } = await hubWithCaller(cleanup, { maxBalancedServicesPerClient: 2 });
    await startWorker(hub, 'w0', { metadata: { a: '1', b: '2' } });
    const first = await caller.getService<Who>('who', { mode: 'balance:round_robin' });
    const again = await caller.getService<Who>('who', { mode: 'balance:round_robin' });
    expect(again.id).toBe(first.id);
    await caller.getService<Who>('who', { mode: 'balance:round_robin', match: { a: '1' } });
    const error = await rejection(caller.getService<Who>('who', { mode: 'balance:round_robin', match: { b: '2' } }));
    expect(error.code).toBe('LIMIT_EXCEEDED');
    expect(hub.virtualTargets.size).toBe(2);
    await caller.disconnect();
    await vi.waitFor(() => expect(hub.virtualTargets.size).toBe(0));
  });
});
