/**
 * A real hub on 127.0.0.1, port 0, for tests. Close it with `onTestFinished(() => hub.close())`
 * or `await using hub = await startTestHub()`.
 */
import pino from 'pino';
import { startHub, type Hub, type HubOptions } from '@mycel/server';

/** A hub that is also an async-disposable resource. */
export type TestHub = Hub & AsyncDisposable;

/** Starts a hub with a silent logger on a free loopback port. */
export async function startTestHub(options: HubOptions = {}): Promise<TestHub> {
  const hub = await startHub({ host: '127.0.0.1', port: 0, logger: pino({ level: 'silent' }), ...options });
  return Object.assign(hub, { [Symbol.asyncDispose]: () => hub.close() });
}
