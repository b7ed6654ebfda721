/**
 * Fan-out counts against the rate of the client that causes it. An event to `*` costs the hub
 * one frame per subscriber, but the sender was charged one message: 5,000 events to 200
 * subscribers became a million frames while the sender stayed within its rate. Now each copy
 * takes a token of the sender's rate, as do the `service_added` / `service_removed` events a
 * registration causes; past its budget the sender's messages wait, and nobody else's do.
 */
import { describe, expect, it, vi } from 'vitest';
import type { MycelClient } from '@mycel/client';
import { connectTestClient } from '../helpers/clients.js';
import { startTestHub, type TestHub } from '../helpers/hub.js';

const SUBSCRIBERS = 10;
const EVENTS = 10;
// 50 messages a second, 50 at once: 10 events to 10 subscribers cost 100, twice the burst.
const RATE = { maxMessagesPerSecond: 50, messageBurst: 50 };

/** Connects subscribers of `type`; returns how many events each has received so far. */
async function subscribers(hub: TestHub, type: string): Promise<number[]> {
  const counts = new Array<number>(SUBSCRIBERS).fill(0);
  for (let i = 0; i < SUBSCRIBERS; i++) {
    const client = await connectTestClient(hub.url, { reconnect: false });
    client.on(type, () => {
      counts[i] = (counts[i] ?? 0) + 1;
    });
    await client.subscribe(type);
  }
  return counts;
}

/** Runs `act`, then resolves with the ms until every subscriber has `expected` events. */
async function fanOutTime(counts: number[], expected: number, act: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await act();
  await vi.waitFor(() => expect(counts.every((n) => n === expected)).toBe(true), { timeout: 10_000, interval: 20 });
  return performance.now() - started;
}

async function connect(hub: TestHub): Promise<MycelClient> {
  return connectTestClient(hub.url, { reconnect: false });
}

describe('the copies of a broadcast', () => {
  it('count against the rate of the client that sends the event, and only its', async () => {
    await using hub = await startTestHub(RATE);
    const counts = await subscribers(hub, 'tick');
    const sender = await connect(hub);
    const bystander = await connect(hub);
    let bystanderDone = -1;
    const took = await fanOutTime(counts, EVENTS, async () => {
      for (let i = 0; i < EVENTS; i++) await sender.emit({ type: 'tick', data: i });
      await bystander.echo('unaffected');
      bystanderDone = Math.min(...counts);
    });
    // The bystander is answered while the sender's last events still wait for their budget.
    expect(bystanderDone).toBeLessThan(EVENTS);
    // 100 copies at 50 a second after a budget of 50 cannot all go out in less than a second.
    expect(took).toBeGreaterThanOrEqual(800);
  });

  it('count against the rate of the client whose registrations cause them', async () => {
    await using hub = await startTestHub(RATE);
    const counts = await subscribers(hub, 'service_added');
    const provider = await connect(hub);
    const took = await fanOutTime(counts, EVENTS, () =>
      Promise.all(Array.from({ length: EVENTS }, (_, i) => provider.registerService({ id: `s${i}`, f: () => i }))),
    );
    expect(took).toBeGreaterThanOrEqual(800);
  });
});
