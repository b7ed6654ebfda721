/**
 * CPU time a process has used so far (user + system), from /proc/<pid>/stat. Read before and
 * after a measure, it tells where the work of a call or a selection went (hub, workers, caller).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

const TICKS_PER_S = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;

/**
 * @param {number} pid
 * @returns {number} milliseconds of CPU (resolution: one clock tick, usually 10 ms)
 */
export function readCpuMs(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name, which is in parentheses and may contain spaces.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const userTicks = Number(fields[11]);
  const systemTicks = Number(fields[12]);
  return ((userTicks + systemTicks) / TICKS_PER_S) * 1000;
}

/**
 * CPU milliseconds each group of processes spends while `fn` runs.
 * @template T
 * @param {Record<string, number[]>} groups name -> pids
 * @param {() => Promise<T>} fn
 * @returns {Promise<{ result: T, cpuMs: Record<string, number> }>}
 */
export async function measureCpu(groups, fn) {
  const total = (pids) => pids.reduce((sum, pid) => sum + readCpuMs(pid), 0);
  const before = Object.fromEntries(Object.entries(groups).map(([name, pids]) => [name, total(pids)]));
  const result = await fn();
  const cpuMs = Object.fromEntries(Object.entries(groups).map(([name, pids]) => [name, total(pids) - before[name]]));
  return { result, cpuMs };
}
