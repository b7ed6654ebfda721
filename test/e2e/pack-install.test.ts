/**
 * The packages install anywhere: `pnpm pack` builds the four tarballs (it turns `workspace:*`
 * into versions), plain npm installs them into a fresh directory outside the repository (their
 * other dependencies come from the registry), `npx mycel-hub` starts a hub there, and the
 * README's worker and client, saved as a user would save them, type-check against the published
 * types and run against it.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { ROOT, startCommand, startProcess } from '../helpers/process.js';
import { pointedAt, snippet } from '../helpers/snippets.js';

const run = promisify(execFile);
const PACKAGES = ['protocol', 'client', 'server', 'cli'] as const;

const work = mkdtempSync(join(tmpdir(), 'mycel-pack-'));
const tarballs = join(work, 'tarballs');
const app = join(work, 'app');
afterAll(() => rmSync(work, { recursive: true, force: true }));

beforeAll(async () => {
  // Each package's prepack prunes stale outputs from dist/ and builds.
  await run('npx', ['-y', 'pnpm@10', '-r', '--filter', './packages/*', 'pack', '--pack-destination', tarballs], { cwd: ROOT });
  for (const name of PACKAGES) {
    const into = join(work, 'unpacked', name);
    mkdirSync(into, { recursive: true });
    await run('tar', ['xzf', tarball(name), '-C', into]);
  }
}, 180_000);

function tarball(name: string): string {
  const file = readdirSync(tarballs).find((f) => f.startsWith(`mycel-${name}-`) && f.endsWith('.tgz'));
  if (!file) throw new Error(`no tarball for @mycel/${name} in ${readdirSync(tarballs).join(', ')}`);
  return join(tarballs, file);
}

function unpacked(name: string): string {
  return join(work, 'unpacked', name, 'package');
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => relative(dir, join(e.parentPath, e.name)));
}

describe.each(PACKAGES)('the @mycel/%s tarball', (name) => {
  it('carries a README, the licence, and dependencies a plain npm resolves', () => {
    const root = unpacked(name);
    expect(existsSync(join(root, 'README.md'))).toBe(true);
    expect(readFileSync(join(root, 'LICENSE'), 'utf8')).toContain('MIT License');
    const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as Record<string, unknown>;
    expect(manifest).toMatchObject({ license: 'MIT', type: 'module', engines: { node: '>=20' } });
    const deps = Object.values((manifest.dependencies ?? {}) as Record<string, string>);
    expect(deps.filter((spec) => !/^[\^~]?\d+\.\d+\.\d+$/.test(spec))).toEqual([]);
  });

  it('exports types and code that are in the tarball', () => {
    const root = unpacked(name);
    const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
      exports: Record<string, Record<string, string> | string>;
      bin?: Record<string, string>;
    };
    const entry = manifest.exports['.'] as Record<string, string>;
    expect(Object.keys(entry)).toContain('types');
    for (const target of [...Object.values(entry), ...Object.values(manifest.bin ?? {})]) {
      expect(existsSync(join(root, target)), target).toBe(true);
    }
  });

  it('has no source map that points at a file it does not ship', () => {
    const root = unpacked(name);
    const maps = filesUnder(root).filter((f) => f.endsWith('.map'));
    expect(maps.length).toBeGreaterThan(0);
    const missing = maps.flatMap((map) => {
      const { sources } = JSON.parse(readFileSync(join(root, map), 'utf8')) as { sources: string[] };
      return sources.map((s) => join(dirname(join(root, map)), s)).filter((s) => !existsSync(s));
    });
    expect(missing).toEqual([]);
  });
});

describe('installed with plain npm outside the repository', () => {
  beforeAll(async () => {
    mkdirSync(app);
    writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'my-app', private: true, type: 'module' }));
    const flags = ['--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'];
    await run('npm', ['install', ...flags, ...PACKAGES.map(tarball), '@types/node@20'], { cwd: app });
  }, 180_000);

  it('type-checks the README programs and a hub program against the published types', async () => {
    writeFileSync(join(app, 'worker.ts'), snippet('README.md', 'worker.ts').code);
    writeFileSync(join(app, 'client.ts'), snippet('README.md', 'client.ts').code);
    writeFileSync(join(app, 'hub.ts'), snippet('packages/server/README.md', 'embedded-hub.ts').code);
    const compilerOptions = {
      target: 'ES2022',
      module: 'NodeNext',
      moduleResolution: 'NodeNext',
      strict: true,
      noEmit: true,
      skipLibCheck: false,
      types: ['node'],
    };
    writeFileSync(join(app, 'tsconfig.json'), JSON.stringify({ compilerOptions, include: ['*.ts'] }));
    const tsc = join(ROOT, 'node_modules/typescript/bin/tsc');
    const result = await run(process.execPath, [tsc, '-p', app]).catch((error: { stdout?: string }) => error);
    expect((result as { stdout?: string }).stdout ?? '').toBe('');
  }, 60_000);

  it('runs `npx mycel`, the command of @mycel/cli', async () => {
    const { stdout } = await run('npx', ['mycel', '--help'], { cwd: app });
    expect(stdout).toMatch(/^Usage: mycel COMMAND/);
  }, 60_000);

  it('starts `npx mycel-hub` and runs the README worker and client against it', async () => {
    const hub = startCommand('npx', ['mycel-hub', '--port', '0'], {}, { cwd: app });
    onTestFinished(() => hub.kill('SIGTERM'));
    const listening = JSON.parse(await hub.waitForLine(/"msg":"hub listening"/, 60_000)) as { url: string };

    const save = (file: string) => {
      const path = join(app, `run-${file}`);
      writeFileSync(path, pointedAt(snippet('README.md', file), listening.url));
      return path;
    };
    const worker = startProcess(save('worker.ts'), [], {}, { cwd: app });
    onTestFinished(() => worker.kill());
    await worker.waitForLine(/^worker ready$/);
    const client = startProcess(save('client.ts'), [], {}, { cwd: app });
    onTestFinished(() => client.kill());
    expect(await client.exited()).toEqual({ code: 0, signal: null });
    expect(client.stderr()).toBe('');
    expect(client.lines).toEqual(['3']);
  }, 60_000);
});
