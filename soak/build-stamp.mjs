/**
 * Which code a soak ran: the git commit (and whether packages/ had uncommitted changes), and the
 * newest modification time under packages/*\/dist. Workers start throughout the run and load
 * dist/ afresh, so a rebuild during the run (someone running `tsc -b`) would mix two builds; the
 * report says so instead of hiding it.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './children.mjs';

const PACKAGES = ['protocol', 'server', 'client'];

/** @returns {{ commit: string, isPackagesDirty: boolean | undefined }} */
export function describeCode() {
  const git = (...args) => execFileSync('git', args, { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  try {
    return { commit: git('rev-parse', '--short=12', 'HEAD'), isPackagesDirty: git('status', '--porcelain', '--', 'packages') !== '' };
  } catch {
    return { commit: 'unknown', isPackagesDirty: undefined };
  }
}

/** Newest mtime (ms) of any file under packages/*\/dist. */
export function distStamp() {
  let newest = 0;
  const walk = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else newest = Math.max(newest, statSync(path).mtimeMs);
    }
  };
  for (const name of PACKAGES) {
    try {
      walk(join(ROOT, 'packages', name, 'dist'));
    } catch {
      // No dist/: the run fails at start with a clearer error.
    }
  }
  return newest;
}
