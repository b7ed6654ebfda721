/**
 * The load-balancing example: three TaskProcessor workers ("fast" 0.2, "medium" 0.5, "slow" 0.8)
 * and a client that asks the hub for the least-loaded one with `select:min:get_load`.
 *
 * Run: npx tsx examples/load-balancing/main.ts
 * Starts its own hub on a free port unless MYCEL_SERVER_URL names one. The workers are child
 * processes that stay connected while the client runs, as real workers would.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { connectToServer } from '@mycel/client';
import { startHub } from '@mycel/server';
import pino from 'pino';

interface TaskProcessor {
  get_load(): number;
  process(task: string): string;
}

const WORKERS: Array<[string, number]> = [
  ['fast', 0.2],
  ['medium', 0.5],
  ['slow', 0.8],
];

const hub = process.env.MYCEL_SERVER_URL ? undefined : await startHub({ port: 0, logger: pino({ level: 'warn' }) });
const serverUrl = process.env.MYCEL_SERVER_URL ?? hub?.url ?? '';
const workerFile = fileURLToPath(new URL('./worker.ts', import.meta.url));

const children: ChildProcess[] = [];
try {
  await Promise.all(WORKERS.map(([name, load]) => startWorker(name, load)));
  const client = await connectToServer({ server_url: serverUrl });
  try {
    const processor = await client.getService<TaskProcessor>('task-processor', { mode: 'select:min:get_load' });
    console.log(await processor.process('important-task'));
  } finally {
    await client.disconnect();
  }
} finally {
  for (const child of children) child.kill('SIGTERM');
  await Promise.all(children.map((child) => (child.exitCode === null ? once(child, 'exit') : undefined)));
  await hub?.close();
}

async function startWorker(name: string, load: number): Promise<void> {
  const child = spawn(process.execPath, ['--import', 'tsx', workerFile, name, String(load)], {
    env: { ...process.env, MYCEL_SERVER_URL: serverUrl },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.push(child);
  const lines = createInterface({ input: child.stdout! });
  for await (const line of lines) {
    if (line.startsWith(`worker ${name} ready`)) return;
  }
  throw new Error(`worker ${name} exited before it was ready`);
}
