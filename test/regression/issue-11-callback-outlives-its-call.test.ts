/**
 * A worker that keeps a callback and calls it after the call that brought it has ended gets an
 * error that says what happened and what to do (a long-lived interface: `long-lived-interfaces`
 * tests); registering a service and passing its id works too.
 */
import { describe, expect, it } from 'vitest';
import { connectTestClient } from '../helpers/clients.js';
import { startTestHub } from '../helpers/hub.js';

describe('a callback kept past its call', () => {
  it('fails with a message that says it is gone and what to do instead', async () => {
    await using hub = await startTestHub();
    const worker = await connectTestClient(hub.url, { client_id: 'keeper' });
    let kept: ((n: number) => Promise<unknown>) | undefined;
    await worker.registerService({
      id: 'keeper',
      keep: (cb: (n: number) => Promise<unknown>) => {
        kept = cb;
        return 'kept';
      },
      fire: async () => kept?.(1),
    });
    const caller = await connectTestClient(hub.url);
    const svc = await caller.getService<{ keep(cb: (n: number) => void): string; fire(): unknown }>('keeper');
    expect(await svc.keep(() => undefined)).toBe('kept');
    await expect(svc.fire()).rejects.toThrow(
      /callback ".+" is gone: it was passed with a call that has ended, and such callbacks live only as long as their call; to call back later, pass a long-lived one: longLived\(fn\), or an object marked _rintf: true$/,
    );
  });

  it('works as a registered service whose id is passed instead', async () => {
    await using hub = await startTestHub();
    const worker = await connectTestClient(hub.url, { client_id: 'keeper' });
    let progressId = '';
    await worker.registerService({
      id: 'jobs',
      start: (id: string) => {
        progressId = id;
        return 'started';
      },
      finish: async () => {
        const progress = await worker.getService<{ report(n: number): string }>(progressId);
        return progress.report(100);
      },
    });
    const caller = await connectTestClient(hub.url, { client_id: 'watcher' });
    const seen: number[] = [];
    const info = await caller.registerService({ id: 'progress', report: (n: number) => (seen.push(n), 'noted') });
    const jobs = await caller.getService<{ start(id: string): string; finish(): string }>('jobs');
    expect(await jobs.start(info.id)).toBe('started');
    expect(await jobs.finish()).toBe('noted');
    expect(seen).toEqual([100]);
  });
});
