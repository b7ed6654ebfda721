/**
 * Child processes for tests: examples, and workers that must die abruptly (SIGKILL, SIGSTOP).
 * TypeScript files run through tsx. Lines are awaited, never slept for.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** The repository root. */
export const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** tsx's loader by absolute URL, so TypeScript files run from any working directory. */
const TSX_LOADER = pathToFileURL(createRequire(join(ROOT, 'package.json')).resolve('tsx')).href;

/** A running child with its output collected line by line. */
export interface TestProcess {
  readonly child: ChildProcess;
  /** Every stdout line so far. */
  readonly lines: string[];
  /** All stderr output so far. */
  stderr(): string;
  /** Resolves with the first stdout line matching `pattern` (past or future); rejects on exit or timeout. */
  waitForLine(pattern: RegExp, timeoutMs?: number): Promise<string>;
  /** Resolves with the exit code (or signal) once the process ended. */
  exited(): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Kills it (SIGKILL by default) and waits for the exit. */
  kill(signal?: NodeJS.Signals): Promise<void>;
}

/** Where and how a child runs. */
export interface ProcessOptions {
  /** Working directory. @default the repository root */
  cwd?: string;
}

/** Starts `node --import tsx <file>` (or plain node for .js/.mjs), from the repository root by default. */
export function startProcess(
  file: string,
  args: string[] = [],
  env: Record<string, string> = {},
  options: ProcessOptions = {},
): TestProcess {
  const nodeArgs = file.endsWith('.ts') ? ['--import', TSX_LOADER, file, ...args] : [file, ...args];
  return startCommand(process.execPath, nodeArgs, env, options);
}

/**
 * Starts any command (`npx mycel-hub`, ...) in a process group of its own, so that `kill` also
 * ends the processes it starts.
 */
export function startCommand(
  command: string,
  args: string[],
  env: Record<string, string> = {},
  options: ProcessOptions = {},
): TestProcess {
  const child = spawn(command, args, {
    cwd: options.cwd ?? ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  const waiters = new Set<{ pattern: RegExp; resolve: (line: string) => void }>();
  const { lines, stderr } = collectOutput(child, (line) => {
    for (const waiter of [...waiters]) {
      if (waiter.pattern.test(line)) {
        waiters.delete(waiter);
        waiter.resolve(line);
      }
    }
  });
  const exit = once(child, 'exit').then(([code, signal]) => ({
    code: code as number | null,
    signal: signal as NodeJS.Signals | null,
  }));
  return {
    child,
    lines,
    stderr,
    waitForLine(pattern, timeoutMs = 15_000) {
      const seen = lines.find((line) => pattern.test(line));
      if (seen !== undefined) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const waiter = { pattern, resolve: (line: string) => (clearTimeout(timer), resolve(line)) };
        const timer = setTimeout(() => {
          waiters.delete(waiter);
          reject(new Error(`no line matching ${pattern} within ${timeoutMs}ms; stdout: ${lines.join('\n')}; stderr: ${stderr()}`));
        }, timeoutMs);
        waiters.add(waiter);
        void exit.then(({ code, signal }) => {
          if (!waiters.has(waiter)) return;
          waiters.delete(waiter);
          clearTimeout(timer);
          reject(new Error(`process exited (${code ?? signal}) before a line matching ${pattern}; stderr: ${stderr()}`));
        });
      });
    },
    exited: () => exit,
    async kill(signal = 'SIGKILL') {
      if (child.exitCode === null && child.signalCode === null && child.pid !== undefined) {
        try {
          process.kill(-child.pid, signal);
        } catch {
          child.kill(signal);
        }
      }
      await exit;
    },
  };
}

/**
 * Collects a child's stdout as lines (each also handed to `onLine` as it arrives) and its stderr
 * as text.
 */
export function collectOutput(child: ChildProcess, onLine: (line: string) => void): { lines: string[]; stderr: () => string } {
  const lines: string[] = [];
  let stderr = '';
  let buffer = '';
  child.stdout?.setEncoding('utf8');
  child.stderr?.setEncoding('utf8');
  child.stdout?.on('data', (chunk: string) => {
    buffer += chunk;
    let nl: number;
    while ((nl = buffer.indexOf('\n')) >= 0) {
      const line = buffer.slice(0, nl);
      buffer = buffer.slice(nl + 1);
      lines.push(line);
      onLine(line);
    }
  });
  child.stderr?.on('data', (chunk: string) => {
    stderr += chunk;
  });
  return { lines, stderr: () => stderr };
}
