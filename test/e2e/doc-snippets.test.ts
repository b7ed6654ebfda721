/**
 * The programs shown in the READMEs run as shown: each is extracted, saved as the file it names
 * (next to the repository, so `@mycel/client` resolves as it does for a reader in a checkout),
 * pointed at a test hub, and run. Programs that are not workers must exit on their own.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it, onTestFinished } from 'vitest';
import { startTestHub } from '../helpers/hub.js';
import { ROOT, startProcess } from '../helpers/process.js';
import { pointedAt, readSnippets, snippet, type Snippet } from '../helpers/snippets.js';

mkdirSync(join(ROOT, '.tmp'), { recursive: true });
const dir = mkdtempSync(join(ROOT, '.tmp', 'snippets-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function run(s: Snippet, url: string) {
  const file = join(dir, s.file);
  writeFileSync(file, pointedAt(s, url));
  const child = startProcess(file);
  onTestFinished(() => child.kill());
  return child;
}

describe('README.md', () => {
  it('runs the worker and the client; the client prints 3 and exits 0', async () => {
    await using hub = await startTestHub();
    const worker = run(snippet('README.md', 'worker.ts'), hub.url);
    await worker.waitForLine(/^worker ready$/);
    const client = run(snippet('README.md', 'client.ts'), hub.url);
    const exit = await client.exited();
    expect(client.stderr()).toBe('');
    expect(exit).toEqual({ code: 0, signal: null });
    expect(client.lines).toEqual(['3']);
  });

  it('shows no other runnable block that this file does not run', () => {
    expect(readSnippets('README.md').map((s) => s.file)).toEqual(['worker.ts', 'client.ts']);
  });
});

describe('packages/client/README.md', () => {
  it('runs its example to the end', async () => {
    await using hub = await startTestHub();
    const example = run(snippet('packages/client/README.md', 'example.ts'), hub.url);
    const exit = await example.exited();
    expect(example.stderr()).toBe('');
    expect(exit).toEqual({ code: 0, signal: null });
    expect(example.lines).toEqual(['Hello, Mycel!']);
  });
});

describe('packages/server/README.md', () => {
  it('starts and closes a hub in a program', async () => {
    const program = run(snippet('packages/server/README.md', 'embedded-hub.ts'), '');
    const exit = await program.exited();
    expect(exit).toEqual({ code: 0, signal: null });
    expect(program.lines.filter((l) => l.startsWith('hub at '))).toEqual([expect.stringMatching(/^hub at http:\/\/127\.0\.0\.1:\d+$/)]);
  });
});
