/**
 * The `mycel-hub` command: started as a real process from its committed bin launcher, it logs
 * `hub listening` with its port, serves clients and shuts down cleanly on SIGTERM.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { startTestHub } from '../helpers/hub.js';
import { RawSocket } from '../helpers/raw-socket.js';
import { ROOT, startProcess, type TestProcess } from '../helpers/process.js';

const BIN = 'packages/server/bin/mycel-hub.js';

beforeAll(() => {
  // The bin imports the built dist; build it when a fresh checkout has none.
  if (!existsSync(join(ROOT, 'packages/server/dist/cli.js'))) {
    execFileSync('npx', ['tsc', '-b'], { cwd: ROOT, stdio: 'ignore' });
  }
}, 120_000);

function startHubProcess(args: string[]): TestProcess {
  const hub = startProcess(BIN, args);
  onTestFinished(() => hub.kill());
  return hub;
}

describe('mycel-hub', () => {
  it('logs the port it listens on, serves a client, and exits 0 on SIGTERM with a normal close', async () => {
    const hub = startHubProcess(['--port', '0']);
    const line = await hub.waitForLine(/"msg":"hub listening"/);
    const log = JSON.parse(line) as { level: number; msg: string; host: string; port: number; url: string };
    expect(log).toMatchObject({ msg: 'hub listening', host: '127.0.0.1', level: 30 });
    expect(log.port).toBeGreaterThan(0);
    expect(log.url).toBe(`http://127.0.0.1:${log.port}`);

    const { socket, info } = await RawSocket.connect(log.url, 'cli-client');
    expect(info).toMatchObject({ type: 'connection_info', client_id: 'cli-client', workspace: 'public' });
    await socket.ping();
    await hub.waitForLine(/"msg":"client connected"/);

    hub.child.kill('SIGTERM');
    const [closed, exit] = await Promise.all([socket.closed, hub.exited()]);
    expect([1000, 1001]).toContain(closed.code);
    expect(exit).toEqual({ code: 0, signal: null });
    expect(hub.lines.some((l) => l.includes('"msg":"shutting down"') && l.includes('"signal":"SIGTERM"'))).toBe(true);
    expect(hub.lines.some((l) => l.includes('"msg":"hub closed"'))).toBe(true);
  });

  it('exits 0 on SIGINT too', async () => {
    const hub = startHubProcess(['--port', '0']);
    await hub.waitForLine(/"msg":"hub listening"/);
    hub.child.kill('SIGINT');
    expect(await hub.exited()).toEqual({ code: 0, signal: null });
  });

  it('exits 2 with a clear message on a port that is not a number', async () => {
    const hub = startHubProcess(['--port', 'abc']);
    expect((await hub.exited()).code).toBe(2);
    expect(hub.stderr()).toContain('invalid --port "abc": expected an integer from 0 to 65535');
    expect(hub.lines.filter((l) => l !== '')).toEqual([]);
  });

  it('exits 2 on a port out of range', async () => {
    const hub = startHubProcess(['--port', '70000']);
    expect((await hub.exited()).code).toBe(2);
    expect(hub.stderr()).toContain('invalid --port "70000"');
  });

  it('exits 2 on an unknown flag and prints the usage', async () => {
    const hub = startHubProcess(['--bogus']);
    expect((await hub.exited()).code).toBe(2);
    expect(hub.stderr()).toContain("Unknown option '--bogus'");
    expect(hub.stderr()).toContain('Usage: mycel-hub');
  });

  it('exits 1 with one clear line when the port is in use', async () => {
    await using taken = await startTestHub();
    const hub = startHubProcess(['--port', String(taken.port)]);
    expect((await hub.exited()).code).toBe(1);
    expect(hub.stderr()).toBe(
      `mycel-hub: cannot listen on 127.0.0.1:${taken.port}: the port is already in use (another hub still running?); ` +
        'stop that process or choose another port (--port, or 0 for any free one)\n',
    );
    expect(hub.lines.filter((l) => l !== '')).toEqual([]);
  });

  it('takes hub options from flags and environment variables, and logs for people with --log-format pretty', async () => {
    const hub = startProcess(BIN, ['--port', '0', '--log-format', 'pretty'], { MYCEL_HUB_ID: 'from-env' });
    onTestFinished(() => hub.kill());
    const line = await hub.waitForLine(/ INFO  hub listening /);
    expect(line).toMatch(/^\d\d:\d\d:\d\d\.\d{3} INFO  hub listening  host=127\.0\.0\.1 port=\d+ hubId=from-env url=http:\/\/127\.0\.0\.1:\d+$/);
    const url = /url=(\S+)/.exec(line)?.[1] ?? '';
    const { info } = await RawSocket.connect(url, 'env-client');
    expect(info.manager_id).toBe('manager-from-env');
    const connected = await hub.waitForLine(/ INFO  client connected  .*client=public\/env-client/);
    expect(connected).toMatch(/ remote=127\.0\.0\.1:\d+/);
  });

  it('prints the usage on --help and exits 0', async () => {
    const hub = startHubProcess(['--help']);
    expect(await hub.exited()).toEqual({ code: 0, signal: null });
    expect(hub.lines.join('\n')).toContain('Usage: mycel-hub');
  });
});
