/** The machine a run happened on, as the report names it. */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';

/**
 * Node version, CPU model, cores, RAM, kernel and the file-descriptor limits.
 * @returns {{ node: string, cpu: string, cores: number, ramGiB: number, kernel: string, fdLimit: string }}
 */
export function describeMachine() {
  const cpuinfo = readFileSync('/proc/cpuinfo', 'utf8');
  const cpu = /model name\s*:\s*(.+)/.exec(cpuinfo)?.[1]?.trim() ?? os.cpus()[0]?.model ?? 'unknown';
  const limits = execFileSync('/bin/sh', ['-c', 'echo "$(ulimit -n) soft / $(ulimit -Hn) hard"'], { encoding: 'utf8' });
  return {
    node: process.version,
    cpu,
    cores: os.cpus().length,
    ramGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    kernel: `${os.type()} ${os.release()}`,
    fdLimit: limits.trim(),
  };
}

/**
 * The commit the packages were built from, and how many files under packages/ differ from it
 * (the bench runs the built dist/ of the working tree).
 * @returns {{ commit: string, changedPackageFiles: number } | undefined}
 */
export function describeRevision() {
  try {
    const git = (...args) => execFileSync('git', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    const changed = git('status', '--porcelain', '--', 'packages');
    return { commit: git('rev-parse', '--short', 'HEAD'), changedPackageFiles: changed ? changed.split('\n').length : 0 };
  } catch {
    return undefined;
  }
}
