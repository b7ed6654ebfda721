/**
 * The soak's child processes (hub and workers): started with the parent guard preloaded, in their
 * own process group so a Ctrl-C reaches only the runner (which then stops them in order), and
 * SIGKILLed synchronously if the runner exits with any still alive.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The repository root: children run from there so `@mycel/*` resolve to the built packages. */
export const ROOT = fileURLToPath(new URL('..', import.meta.url));
const GUARD = new URL('./parent-guard.mjs', import.meta.url).href;
/** Bytes of stderr kept per child, for the report of one that died unexpectedly. */
const STDERR_TAIL_BYTES = 4_096;

const live = new Set();
process.on('exit', () => {
  for (const child of live) {
    try {
      child.kill('SIGKILL');
    } catch {
      // Already gone.
    }
  }
});

/**
 * Starts `node <file> ...args` from the repository root.
 * @param {string} file path from the repository root
 * @param {string[]} args
 * @param {{ env?: Record<string, string>, nodeArgs?: string[], onLine?: (line: string) => void }} [options]
 */
export function startChild(file, args = [], { env = {}, nodeArgs = [], onLine } = {}) {
  const child = spawn(process.execPath, [...nodeArgs, '--import', GUARD, file, ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
    detached: true,
  });
  live.add(child);
  const waiters = new Set();
  let stderr = '';
  let buffer = '';
  child.stdin.on('error', () => {});
  child.stdout.setEncoding('utf8');
  child.stderr.setEncoding('utf8');
  child.stdout.on('data', (chunk) => {
    buffer += chunk;
    let nl;
    while ((nl = buffer.indexOf('\n')) >= 0) {
      const line = buffer.slice(0, nl);
      buffer = buffer.slice(nl + 1);
      onLine?.(line);
      for (const waiter of [...waiters]) if (waiter.pattern.test(line)) waiter.resolve(line);
    }
  });
  child.stderr.on('data', (chunk) => {
    stderr = (stderr + chunk).slice(-STDERR_TAIL_BYTES);
  });
  const exited = new Promise((resolve) => {
    child.once('exit', (code, signal) => {
      live.delete(child);
      for (const waiter of [...waiters]) waiter.reject(new Error(`exited (${code ?? signal}) before a line matching ${waiter.pattern}`));
      resolve({ code, signal });
    });
  });
  const isAlive = () => child.exitCode === null && child.signalCode === null;
  return {
    child,
    pid: child.pid,
    exited,
    isAlive,
    stderrTail: () => stderr,
    /** Resolves with the next stdout line matching `pattern`; rejects on exit or after `timeoutMs`. */
    waitForLine(pattern, timeoutMs) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => done(reject, new Error(`no line matching ${pattern} within ${timeoutMs}ms`)), timeoutMs);
        const waiter = {
          pattern,
          resolve: (line) => done(resolve, line),
          reject: (error) => done(reject, error),
        };
        function done(settle, value) {
          clearTimeout(timer);
          waiters.delete(waiter);
          settle(value);
        }
        waiters.add(waiter);
      });
    },
    /** Sends `signal` if still alive. */
    signal(signal) {
      if (isAlive()) child.kill(signal);
    },
    /** SIGTERM, then SIGKILL after `graceMs`; resolves once the process is gone. */
    async stop(graceMs = 5_000) {
      if (!isAlive()) return exited;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      const result = await exited;
      clearTimeout(timer);
      return result;
    },
  };
}

/** SIGKILLs every child still alive, at once (the second Ctrl-C, the watchdog). */
export function killAllChildren() {
  for (const child of live) child.kill('SIGKILL');
}
