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

/** One line of the hub's log, parsed. */
export type LogLine = Record<string, unknown> & { level: number; msg: string };

/** A test hub whose log lines (level `debug` and up) are collected in `logs`. */
export async function startLoggedTestHub(options: HubOptions = {}): Promise<TestHub & { logs: LogLine[] }> {
  const logs: LogLine[] = [];
  const logger = pino({ level: 'debug' }, { write: (line: string) => void logs.push(JSON.parse(line) as LogLine) });
  return Object.assign(await startTestHub({ ...options, logger }), { logs });
}
