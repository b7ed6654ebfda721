/**
 * The official Python client (hypha-rpc) for interop tests: Debian's `/usr/bin/python3` with
 * `../shared/pyclient/site` (relative to the repository root) on `PYTHONPATH`, as CI has it.
 * Under CI (`CI=true`) a missing client fails the suite; elsewhere the suite is skipped and says
 * how to get the client.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { describe, it } from 'vitest';
import { collectOutput, ROOT } from './process.js';

/** Debian's interpreter: the Debian packages the client needs are installed for it. */
export const PYTHON = process.env.MYCEL_PYTHON ?? '/usr/bin/python3';
/** The client's sources, beside the repository (where CI has them too). */
export const PYCLIENT_SITE = join(ROOT, '..', 'shared', 'pyclient', 'site');
const FIXTURES = join(ROOT, 'test', 'fixtures', 'python');

/** The environment a Python child runs with. */
export function pythonEnv(): NodeJS.ProcessEnv {
  const path = [PYCLIENT_SITE, FIXTURES, join(ROOT, 'examples', 'python'), process.env.PYTHONPATH].filter(Boolean).join(':');
  return { ...process.env, PYTHONPATH: path, PYTHONUNBUFFERED: '1' };
}

/** Why the client cannot be used here, or undefined when it can. */
function clientProblem(): string | undefined {
  const probe = spawnSync(PYTHON, ['-c', 'import hypha_rpc, numpy; print(hypha_rpc.__version__)'], { env: pythonEnv(), encoding: 'utf8' });
  if (probe.error) return `${PYTHON}: ${probe.error.message}`;
  if (probe.status !== 0) return probe.stderr.trim().split('\n').at(-1) ?? `exit ${probe.status}`;
  return undefined;
}

const HOW_TO_GET_IT =
  'the official Python client is not importable: pip install hypha-rpc numpy (or, on Debian, the packages in ../shared/pyclient/README.md)';

/**
 * `describe` for a suite that needs the Python client. Without it: a failing test under CI, a
 * visibly skipped suite (with how to get the client) elsewhere.
 */
export function describeWithPython(name: string, body: () => void): void {
  const problem = clientProblem();
  if (problem === undefined) {
    describe(name, body);
  } else if (process.env.CI === 'true') {
    describe(name, () => {
      it('has the official Python client', () => {
        throw new Error(`${HOW_TO_GET_IT} (${problem})`);
      });
    });
  } else {
    describe.skip(`${name} (skipped: ${HOW_TO_GET_IT})`, body);
  }
}

/** A Python script running as a child, with its stdout lines. */
export interface PythonProcess {
  readonly child: ChildProcess;
  readonly lines: string[];
  stderr(): string;
  /** Resolves with the first stdout line matching `pattern`; rejects on exit or after `timeoutMs`. */
  waitForLine(pattern: RegExp, timeoutMs?: number): Promise<string>;
  /** Resolves with the exit code once it ended. */
  exited(): Promise<number | null>;
  /** SIGKILLs it (if still running) and waits for the exit. */
  kill(): Promise<void>;
}

/** Starts `/usr/bin/python3 <file> ...args` from the repository root. */
export function startPython(file: string, args: string[] = [], env: Record<string, string> = {}, stdin: 'pipe' | 'ignore' = 'ignore'): PythonProcess {
  const child = spawn(PYTHON, [join(ROOT, file), ...args], { cwd: ROOT, env: { ...pythonEnv(), ...env }, stdio: [stdin, 'pipe', 'pipe'] });
  const listeners = new Set<(line: string) => void>();
  const { lines, stderr } = collectOutput(child, (line) => {
    for (const listener of [...listeners]) listener(line);
  });
  const exit = once(child, 'exit').then(([code]) => code as number | null);
  const describeOutput = () => `stdout: ${lines.join('\n')}\nstderr: ${stderr()}`;
  return {
    child,
    lines,
    stderr,
    waitForLine(pattern, timeoutMs = 20_000) {
      const seen = lines.find((line) => pattern.test(line));
      if (seen !== undefined) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const done = (error?: Error, line?: string) => {
          listeners.delete(listener);
          clearTimeout(timer);
          if (error) reject(error);
          else resolve(line ?? '');
        };
        const listener = (line: string) => pattern.test(line) && done(undefined, line);
        const timer = setTimeout(() => done(new Error(`no line matching ${pattern} within ${timeoutMs}ms\n${describeOutput()}`)), timeoutMs);
        listeners.add(listener);
        void exit.then((code) => listeners.has(listener) && done(new Error(`exited (${code}) before a line matching ${pattern}\n${describeOutput()}`)));
      });
    },
    exited: () => exit,
    async kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exit;
    },
  };
}

/** The answer the agent gives to one request. */
interface AgentAnswer {
  id: number;
  ok: boolean;
  value?: unknown;
  error?: string;
}

/** A long-lived Python peer (`test/fixtures/python/agent.py`) driven one request at a time. */
export interface PythonAgent {
  /** Sends a request (`{op, ...}`) and resolves with its value; rejects with the Python error. */
  request<T = unknown>(op: Record<string, unknown>, timeoutMs?: number): Promise<T>;
  readonly process: PythonProcess;
}

/** Starts the agent and waits until it reads requests. Kill it with `agent.process.kill()`. */
export async function startPythonAgent(): Promise<PythonAgent> {
  const proc = startPython('test/fixtures/python/agent.py', [], {}, 'pipe');
  const waiting = new Map<number, (answer: AgentAnswer) => void>();
  proc.child.stdout?.on('data', () => {
    // Answers are parsed from the collected lines; other output (prints of the client) is skipped.
    for (;;) {
      const index = proc.lines.findIndex((line) => line.startsWith('{"id"'));
      if (index < 0) return;
      const [line] = proc.lines.splice(index, 1);
      const answer = JSON.parse(line ?? '{}') as AgentAnswer;
      waiting.get(answer.id)?.(answer);
      waiting.delete(answer.id);
    }
  });
  let nextId = 1;
  const request = <T>(op: Record<string, unknown>, timeoutMs = 30_000): Promise<T> => {
    const id = nextId++;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        waiting.delete(id);
        reject(new Error(`python agent: no answer to ${JSON.stringify(op).slice(0, 200)} within ${timeoutMs}ms\nstderr: ${proc.stderr()}`));
      }, timeoutMs);
      waiting.set(id, (answer) => {
        clearTimeout(timer);
        if (answer.ok) resolve(answer.value as T);
        else reject(new Error(answer.error));
      });
      proc.child.stdin?.write(`${JSON.stringify({ ...op, id })}\n`);
    });
  };
  await proc.waitForLine(/^\{"id": 0/);
  return { request, process: proc };
}
