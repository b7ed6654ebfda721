#!/usr/bin/env node
// Run as a package's `prepack` (cwd = the package): removes from dist/ every output whose source
// in src/ no longer exists, so a tarball packed from a working copy never ships the outputs of a
// file that was moved or deleted. Outputs of existing sources are left alone (tests may be
// reading them right now).
import { readdirSync, rmSync, existsSync } from 'node:fs';
import { join, relative } from 'node:path';

const OUTPUT = /(\.d\.ts\.map|\.d\.ts|\.js\.map|\.js)$/;
const dist = 'dist';
if (existsSync(dist)) {
  for (const entry of readdirSync(dist, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || !OUTPUT.test(entry.name)) continue;
    const output = join(entry.parentPath, entry.name);
    const source = join('src', relative(dist, output).replace(OUTPUT, '.ts'));
    if (!existsSync(source)) {
      rmSync(output);
      process.stdout.write(`removed ${output} (no ${source})\n`);
    }
  }
}
