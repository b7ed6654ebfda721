/**
 * Runs the `mycel` command as a child process, from source (tsx, with the `@mycel/source`
 * condition so the SDK is the tree's, not a stale build) or from its built bin.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { ROOT } from './process.js';

/** What a finished `mycel` run printed, and its exit code. */
export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `mycel ARGS...` to its end (killed after `timeoutMs`). */
export async function runCli(
  args: readonly string[],
  options: { bin?: boolean; env?: Record<string, string>; timeoutMs?: number } = {},
): Promise<CliResult> {
  const nodeArgs = options.bin
    ? ['packages/cli/bin/mycel.js', ...args]
    : ['--conditions=@mycel/source', '--import', 'tsx', 'packages/cli/src/main.ts', ...args];
  const child = spawn(process.execPath, nodeArgs, {
    cwd: ROOT,
    env: { ...process.env, MYCEL_SERVER_URL: '', MYCEL_WORKSPACE: '', MYCEL_TOKEN: '', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 15_000);
  const [code] = (await once(child, 'close')) as [number | null];
  clearTimeout(timer);
  return { code, stdout, stderr };
}
