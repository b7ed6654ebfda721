/**
 * A real hub plus official hypha-rpc clients for interop tests. Every client is disconnected
 * before the hub closes when the test ends, so no reconnection loop outlives its test.
 */
import { onTestFinished } from 'vitest';
import type { HubOptions } from '@mycel/server';
import { connectHypha, type HyphaApi } from './hypha.js';
import { startTestHub, type TestHub } from './hub.js';

/** A hub and a way to connect hypha-rpc clients to it, both cleaned up when the test ends. */
export interface InteropSession {
  hub: TestHub;
  /** Connects a hypha-rpc client (logging off) that is disconnected when the test ends. */
  connect(config?: Record<string, unknown>): Promise<HyphaApi>;
}

/** Starts a hub for the current test; call it inside the test. */
export async function startInteropSession(options: HubOptions = {}): Promise<InteropSession> {
  const hub = await startTestHub(options);
  const clients: HyphaApi[] = [];
  onTestFinished(async () => {
    await Promise.all(clients.splice(0).map((client) => client.disconnect()));
    await hub.close();
  });
  return {
    hub,
    async connect(config = {}) {
      const client = await connectHypha(hub.url, config);
      clients.push(client);
      return client;
    },
  };
}

/** A message hypha-rpc hands to `on(type, handler)`: the event frame with its `data`. */
export interface HyphaEvent {
  type: string;
  data: Record<string, unknown>;
  [key: string]: unknown;
}

/**
 * Resolves with the first `type` event received by `client` that `matches` accepts. Register it
 * before doing what triggers the event.
 */
export function nextEvent(
  client: HyphaApi,
  type: string,
  matches: (event: HyphaEvent) => boolean = () => true,
): Promise<HyphaEvent> {
  return new Promise((resolve) => {
    const handler = (message: Record<string, unknown>) => {
      const event = message as HyphaEvent;
      if (!matches(event)) return;
      client.off(type, handler);
      resolve(event);
    };
    client.on(type, handler);
  });
}
