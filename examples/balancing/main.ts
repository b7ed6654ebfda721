/**
 * The balancing example: three `render` workers of different speeds and weights ("fast" 5 ms,
 * weight 3; "medium" 20 ms, weight 2; "slow" 60 ms, weight 1) and a caller that sends jobs
 * through `balance:` proxies, which choose a worker for every call, and prints who served what.
 *
 * Run: npx tsx examples/balancing/main.ts
 * Starts its own hub on a free port unless MYCEL_SERVER_URL names one. The workers are child
 * processes that stay connected while the caller runs, as real workers would.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { connectToServer, type ServiceProxy } from '@mycel/client';
import { startHub } from '@mycel/server';
import pino from 'pino';

interface Render {
  render(job: number): string;
}

const WORKERS: Array<[name: string, msPerJob: number, weight: number]> = [
  ['fast', 5, 3],
  ['medium', 20, 2],
  ['slow', 60, 1],
];

const hub = process.env.MYCEL_SERVER_URL ? undefined : await startHub({ port: 0, logger: pino({ level: 'warn' }) });
const serverUrl = process.env.MYCEL_SERVER_URL ?? hub?.url ?? '';
const workerFile = fileURLToPath(new URL('./worker.ts', import.meta.url));

const children: ChildProcess[] = [];
try {
  await Promise.all(WORKERS.map(([name, ms, weight]) => startWorker(name, ms, weight)));
  const client = await connectToServer({ server_url: serverUrl });
  try {
    // One call at a time: each worker in turn.
    const turns = await client.getService<Render>('render', { mode: 'balance:round_robin' });
    report('round_robin, one at a time', await inSequence(turns, 6), true);
    // One call at a time: in proportion to the workers' weights, interleaved.
    const weighted = await client.getService<Render>('render', { mode: 'balance:weighted' });
    report('weighted, one at a time', await inSequence(weighted, 12), true);
    // Twelve calls in flight: the worker with the fewest unanswered calls gets the next one,
    // so the fast worker, which answers soonest, serves the most.
    const leastBusy = await client.getService<Render>('render', { mode: 'balance:least_inflight' });
    report('least_inflight, 12 in flight', await inFlight(leastBusy, 60, 12), false);
  } finally {
    await client.disconnect();
  }
} finally {
  for (const child of children) child.kill('SIGTERM');
  await Promise.all(children.map((child) => (child.exitCode === null ? once(child, 'exit') : undefined)));
  await hub?.close();
}

async function inSequence(proxy: ServiceProxy<Render>, jobs: number): Promise<string[]> {
  const served: string[] = [];
  for (let job = 0; job < jobs; job++) served.push(await proxy.render(job));
  return served;
}

async function inFlight(proxy: ServiceProxy<Render>, jobs: number, lanes: number): Promise<string[]> {
  const served: string[] = [];
  let next = 0;
  const lane = async () => {
    while (next < jobs) served.push(await proxy.render(next++));
  };
  await Promise.all(Array.from({ length: lanes }, lane));
  return served;
}

/** Prints how many jobs each worker served (and, for short runs, in which order). */
function report(title: string, served: string[], withOrder: boolean): void {
  const counts = WORKERS.map(([name]) => `${name} ${served.filter((who) => who === name).length}`).join(', ');
  console.log(`${title}: ${counts}${withOrder ? ` (${served.join(' ')})` : ''}`);
}

async function startWorker(name: string, ms: number, weight: number): Promise<void> {
  const child = spawn(process.execPath, ['--import', 'tsx', workerFile, name, String(ms), String(weight)], {
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
