/**
 * Starts `nats-server` (Debian package `nats-server`) on 127.0.0.1 for the Moleculer system, and
 * tells whether it is installed at all.
 */
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createConnection } from 'node:net';
import { freePort } from '../free-port.mjs';

/** Frames up to 8 MiB: the 4 MiB payload travels as one NATS message (the default cap is 1 MB). */
const MAX_PAYLOAD_BYTES = 8 * 1024 * 1024;

/** Whether `nats-server` is on the PATH. */
export function hasNatsServer() {
  return spawnSync('nats-server', ['--version'], { stdio: 'ignore' }).status === 0;
}

/**
 * Runs nats-server on a free loopback port until `close()`.
 * @returns {Promise<{ url: string, pid: number, version: string, close: () => Promise<void> }>}
 */
export async function startNatsServer() {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'mycel-bench-nats-'));
  const config = join(dir, 'nats.conf');
  writeFileSync(config, `host: 127.0.0.1\nport: ${port}\nmax_payload: ${MAX_PAYLOAD_BYTES}\n`);
  const child = spawn('nats-server', ['-c', config], { stdio: 'ignore' });
  await waitForPort(port, child);
  const version = spawnSync('nats-server', ['--version'], { encoding: 'utf8' }).stdout.trim();
  return {
    url: `nats://127.0.0.1:${port}`,
    pid: child.pid,
    version,
    close: async () => {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      await once(child, 'exit');
    },
  };
}

/** Resolves once `port` accepts connections; gives up after 10 s or when the server exits. */
async function waitForPort(port, child) {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`nats-server exited with ${child.exitCode}`);
    const open = await new Promise((resolve) => {
      const socket = createConnection({ port, host: '127.0.0.1' }, () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`nats-server did not listen on ${port} within 10 s`);
}
