/**
 * Issue 9, item 4: with pino's default destination, a log reader that stopped reading made every
 * log write wait: the hub froze and SIGTERM was never acted on. The CLI now writes logs to a pipe
 * without blocking (a bounded buffer, lines past it dropped), keeps serving, and exits on SIGTERM
 * within its shutdown bound.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { DEFAULT_HUB_OPTIONS } from '@mycel/server';
import { ROOT, startProcess } from '../helpers/process.js';
import { RawSocket } from '../helpers/raw-socket.js';

/** The CLI's bound: the hub's close grace, then at most a second for the log, with slack for CI. */
const EXIT_BOUND_MS = DEFAULT_HUB_OPTIONS.closeGraceMs + 4_000;

beforeAll(() => {
  if (!existsSync(join(ROOT, 'packages/server/dist/cli.js'))) execFileSync('npx', ['tsc', '-b'], { cwd: ROOT, stdio: 'ignore' });
}, 120_000);

describe('mycel-hub with a log reader that stopped reading', () => {
  it('keeps serving and exits on SIGTERM within its shutdown bound', async () => {
    const hub = startProcess('packages/server/bin/mycel-hub.js', ['--port', '0']);
    onTestFinished(() => hub.kill());
    const url = (JSON.parse(await hub.waitForLine(/"msg":"hub listening"/)) as { url: string }).url;
    const { socket } = await RawSocket.connect(url, 'noisy');
    // The reader stops: the pipe fills (64 KiB on Linux) and stays full.
    hub.child.stdout?.pause();
    // Each refused frame logs a warn line of about 150 bytes: about 600 KB of log.
    for (let i = 0; i < 4_000; i++) socket.ws.send(Uint8Array.of(0x80));
    // Served after every one of those frames: the hub is not stuck on its log.
    await socket.ping();
    const started = Date.now();
    hub.child.kill('SIGTERM');
    const exit = await Promise.race([
      hub.exited(),
      new Promise<'still running'>((resolve) => setTimeout(() => resolve('still running'), EXIT_BOUND_MS).unref()),
    ]);
    expect(exit).toEqual({ code: 0, signal: null });
    expect(Date.now() - started).toBeLessThan(EXIT_BOUND_MS);
  });
});
