/**
 * The workers: `size` processes registering the `soak` service, and the chaos step that kills one
 * (SIGKILL, sometimes SIGTERM) and starts a replacement.
 */
import { startChild } from './children.mjs';

const WORKER_SCRIPT = 'soak/worker.mjs';
const WORKER_READY_TIMEOUT_MS = 15_000;
/** Share of kills that are a SIGTERM (clean close) rather than a SIGKILL. */
const SIGTERM_SHARE = 0.2;

/**
 * @param {{ url: string, size: number, log: (line: string) => void }} options
 */
export function createFleet({ url, size, log }) {
  /** Running workers by id. */
  const workers = new Map();
  let counter = 0;
  let isStopping = false;
  const stats = {
    started: 0,
    startFailures: 0,
    kills: { SIGKILL: 0, SIGTERM: 0 },
    /** Workers that exited without being told to: the hub dropped them, or they crashed. */
    unexpectedExits: [],
    readyMs: [],
  };

  async function startWorker() {
    const id = `soak-worker-${++counter}`;
    const began = performance.now();
    const proc = startChild(WORKER_SCRIPT, [], { env: { MYCEL_SERVER_URL: url, WORKER_ID: id } });
    const worker = { id, proc, isReady: false, isKilled: false };
    workers.set(id, worker);
    void proc.exited.then(({ code, signal }) => {
      workers.delete(id);
      if (!worker.isKilled && !isStopping) {
        stats.unexpectedExits.push({ id, code, signal, stderr: proc.stderrTail().slice(-500) });
        log(`worker ${id} exited unexpectedly (${code ?? signal})`);
      }
    });
    try {
      await proc.waitForLine(/^ready /, WORKER_READY_TIMEOUT_MS);
      stats.started++;
      stats.readyMs.push(performance.now() - began);
      worker.isReady = true;
    } catch (error) {
      stats.startFailures++;
      log(`worker ${id} failed to start: ${error.message}; stderr: ${proc.stderrTail().slice(-300)}`);
      worker.isKilled = true;
      await proc.stop(1_000);
    }
  }

  return {
    stats,
    /** Workers running now. */
    get alive() {
      return workers.size;
    },
    /** Starts the first `size` workers, in parallel. */
    async start() {
      await Promise.all(Array.from({ length: size }, () => startWorker()));
    },
    /** Kills one ready worker at random, and starts its replacement at once. */
    async killOne() {
      const ready = [...workers.values()].filter((w) => w.isReady && !w.isKilled);
      const victim = ready[Math.floor(Math.random() * ready.length)];
      const replacement = startWorker();
      if (victim) {
        const signal = Math.random() < SIGTERM_SHARE ? 'SIGTERM' : 'SIGKILL';
        victim.isKilled = true;
        stats.kills[signal]++;
        victim.proc.signal(signal);
        // A SIGTERMed worker that has not closed within 5 s is SIGKILLed by stop().
        await Promise.all([victim.proc.stop(5_000), replacement]);
      } else {
        await replacement;
      }
      // Keep the fleet at `size`: top up after start failures or unexpected exits (a bounded
      // number of tries, so a hub that refuses workers cannot stall the run).
      for (let tries = 0; !isStopping && workers.size < size && tries < size; tries++) await startWorker();
    },
    /** Stops every worker: SIGTERM, then SIGKILL after 5 s. */
    async stop() {
      isStopping = true;
      await Promise.all([...workers.values()].map((w) => w.proc.stop(5_000)));
    },
  };
}
