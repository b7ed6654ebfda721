/**
 * The hub under soak: the `mycel-hub` CLI in its own process on 127.0.0.1, port 0, its port read
 * from the `hub listening` log line, its memory read from /proc/<pid>/status, and its warn/error
 * log lines tallied by message.
 */
import { readFileSync } from 'node:fs';
import { startChild } from './children.mjs';

const HUB_BIN = 'packages/server/bin/mycel-hub.js';
const PROBE = new URL('./hub-probe.mjs', import.meta.url).href;
const PROBE_TIMEOUT_MS = 5_000;
const HUB_START_TIMEOUT_MS = 15_000;
/** pino's numeric level of `warn`. */
const PINO_WARN = 40;

/**
 * Starts the hub and resolves once it listens.
 * @returns {Promise<{ url: string, pid: number, memory: () => { rssKiB: number, hwmKiB: number } | undefined,
 *   heap: () => Promise<{ heapUsedKiB: number, heapTotalKiB: number, heapTotalBeforeGcKiB: number, externalKiB: number } | undefined>,
 *   logTally: Record<string, number>, process: ReturnType<typeof startChild> }>}
 */
export async function startHubProcess() {
  /** `level message` -> count, for warn and above. */
  const logTally = {};
  let resolvePort;
  const port = new Promise((resolve) => (resolvePort = resolve));
  /** Waiting for the answer to a SIGUSR2 heap probe. */
  let onProbe;
  const hub = startChild(HUB_BIN, ['--host', '127.0.0.1', '--port', '0', '--log-level', 'info'], {
    nodeArgs: ['--expose-gc', '--import', PROBE],
    onLine(line) {
      let entry;
      try {
        entry = JSON.parse(line);
      } catch {
        logTally[`unparsed: ${line.slice(0, 80)}`] = (logTally[`unparsed: ${line.slice(0, 80)}`] ?? 0) + 1;
        return;
      }
      if (entry.msg === 'hub listening') resolvePort(entry.port);
      if (entry.msg === 'soak heap probe') {
        onProbe?.({
          heapUsedKiB: entry.heapUsed / 1024,
          heapTotalKiB: entry.heapTotal / 1024,
          heapTotalBeforeGcKiB: entry.heapTotalBeforeGc / 1024,
          externalKiB: entry.external / 1024,
        });
        return;
      }
      if (entry.level >= PINO_WARN) {
        const key = `${entry.level >= 50 ? 'error' : 'warn'}: ${entry.msg}${entry.reason ? ` (${String(entry.reason).slice(0, 60)})` : ''}`;
        logTally[key] = (logTally[key] ?? 0) + 1;
      }
    },
  });
  const timeout = new Promise((_, reject) =>
    setTimeout(() => reject(new Error(`hub did not log "hub listening" within ${HUB_START_TIMEOUT_MS}ms`)), HUB_START_TIMEOUT_MS).unref(),
  );
  const exited = hub.exited.then(({ code, signal }) => {
    throw new Error(`hub exited (${code ?? signal}) before listening: ${hub.stderrTail()}`);
  });
  try {
    const listening = await Promise.race([port, timeout, exited]);
    return {
      url: `http://127.0.0.1:${listening}`,
      pid: hub.pid,
      memory: () => readMemory(hub.pid),
      /** Full GC in the hub, then its live heap; undefined if it does not answer in time. */
      heap() {
        if (!hub.isAlive()) return Promise.resolve(undefined);
        return new Promise((resolve) => {
          const timer = setTimeout(() => done(undefined), PROBE_TIMEOUT_MS);
          function done(value) {
            clearTimeout(timer);
            onProbe = undefined;
            resolve(value);
          }
          onProbe = done;
          hub.signal('SIGUSR2');
        });
      },
      logTally,
      process: hub,
    };
  } catch (error) {
    await hub.stop(1_000);
    throw error;
  }
}

/**
 * VmRSS (resident now), its anonymous (heap, malloc) and file-backed (the node binary's pages)
 * parts, and VmHWM (peak resident) of a process, in KiB; undefined once it is gone.
 * @param {number} pid
 */
export function readMemory(pid) {
  let status;
  try {
    status = readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    return undefined;
  }
  const field = (name) => Number(new RegExp(`^${name}:\\s*(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
  return { rssKiB: field('VmRSS'), rssAnonKiB: field('RssAnon'), rssFileKiB: field('RssFile'), hwmKiB: field('VmHWM') };
}
