/**
 * Timeouts a client asks the manager for are clamped to the hub's `methodTimeoutMs` (30 s by
 * default), as documented. `select_timeout` was honoured as asked (up to 600 s), so one request
 * could hold a probe round, and the manager's budget slot, for as long as the client liked.
 */
import { describe, expect, it } from 'vitest';
import { connectTestClient } from '../helpers/clients.js';
import { startTestHub } from '../helpers/hub.js';

/** Rejects after `ms`: a bound on how long a step may take, far above what it needs. */
function deadline(ms: number, what: string): { promise: Promise<never>; cancel(): void } {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const promise = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} took more than ${ms}ms`)), ms);
  });
  return { promise, cancel: () => clearTimeout(timer) };
}

describe('manager timeouts asked by a client', () => {
  it('clamp select_timeout to methodTimeoutMs', async () => {
    await using hub = await startTestHub({ methodTimeoutMs: 300 });
    for (const id of ['w1', 'w2']) {
      const worker = await connectTestClient(hub.url, { client_id: id, reconnect: false });
      // A load probe that never answers: the round lasts as long as its bound.
      await worker.registerService({ id: 'task', config: { visibility: 'public' }, get_load: () => new Promise(() => {}), who: () => id });
    }
    const caller = await connectTestClient(hub.url, { reconnect: false });
    // Asked for 15 s; the hub allows 0.3 s. The bound below is 20 times the clamped round.
    const bound = deadline(6_000, 'a selection with select_timeout 15');
    try {
      const task = await Promise.race([
        caller.getService<{ who(): string }>('task', { mode: 'select:min:get_load', select_timeout: 15 }),
        bound.promise,
      ]);
      expect(['w1', 'w2']).toContain(await task.who());
    } finally {
      bound.cancel();
    }
  });
});
