/**
 * The `mycel` command, run as a child process against a real hub: services, call (with modes),
 * explain on a hub without explain_selection, help, and the exit codes of each failure.
 */
import { describe, expect, it, onTestFinished } from 'vitest';
import { withParamNames } from '@mycel/protocol';
import { runCli } from '../helpers/cli.js';
import { connectTestClient } from '../helpers/clients.js';
import { startTestHub } from '../helpers/hub.js';

async function hubWithMath() {
  const hub = await startTestHub();
  onTestFinished(() => hub.close());
  for (const [id, load] of [['w1', 5], ['w2', 1]] as const) {
    const worker = await connectTestClient(hub.url, { client_id: id });
    await worker.registerService({
      id: 'math',
      description: 'adds numbers',
      config: { visibility: 'public' },
      add: withParamNames((a: number, b: number) => a + b, ['a', 'b']),
      whoami: () => id,
      fail: () => {
        throw new Error('it broke');
      },
      get_load: () => load,
    });
  }
  return hub;
}

describe('mycel', () => {
  it('lists the services of the workspace, as a table and as JSON', async () => {
    const hub = await hubWithMath();
    const table = await runCli(['services', '--server-url', hub.url]);
    expect(table.stderr).toBe('');
    expect(table.code).toBe(0);
    const lines = table.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^ID\s+TYPE\s+VISIBILITY\s+DESCRIPTION$/);
    expect(lines.slice(1).map((l) => l.split(/\s+/)[0]).sort()).toEqual(['public/w1:math', 'public/w2:math']);
    expect(table.stdout).not.toContain('built-in');

    const json = await runCli(['services', '--json', '--all', '-s', hub.url]);
    expect(json.code).toBe(0);
    const ids = (JSON.parse(json.stdout) as { id: string }[]).map((s) => s.id);
    expect(ids).toEqual(expect.arrayContaining(['public/w1:math', 'public/w2:math', 'public/w1:built-in']));
  });

  it('calls a function with JSON arguments and a mode, and prints the result', async () => {
    const hub = await hubWithMath();
    const sum = await runCli(['call', 'math.add', '1', '2', '--mode', 'random', '--server-url', hub.url]);
    expect(sum).toMatchObject({ code: 0, stdout: '3\n', stderr: '' });
    // select:min:get_load picks w2 (load 1) every time.
    const who = await runCli(['call', 'math.whoami', '--mode', 'select:min:get_load', '--server-url', hub.url]);
    expect(who).toMatchObject({ code: 0, stdout: 'w2\n' });
    const exact = await runCli(['call', 'w1:math.whoami', '--json', '--server-url', hub.url]);
    expect(exact).toMatchObject({ code: 0, stdout: '"w1"\n' });
  });

  it('exits 1 with the code and message of a failed call', async () => {
    const hub = await hubWithMath();
    const failed = await runCli(['call', 'w1:math.fail', '--server-url', hub.url]);
    expect(failed.code).toBe(1);
    expect(failed.stderr).toContain('it broke');
    const missing = await runCli(['call', 'nothing.here', '--server-url', hub.url]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^mycel: SERVICE_NOT_FOUND: .*nothing/);
    const noFn = await runCli(['call', 'w1:math.nope', '--server-url', hub.url]);
    expect(noFn).toMatchObject({ code: 1, stderr: 'mycel: METHOD_NOT_FOUND: function "nope" not found in service "w1:math"\n' });
    const badMode = await runCli(['call', 'math.add', '--mode', 'select:avg:x', '--server-url', hub.url]);
    expect(badMode.code).toBe(1);
    expect(badMode.stderr).toContain('BAD_MODE');
  });

  it('says clearly that explain needs a hub feature that is not there yet, lists the candidates and exits 4', async () => {
    const hub = await hubWithMath();
    const result = await runCli(['explain', 'math', '--mode', 'select:min:get_load', '--server-url', hub.url]);
    expect(result.code).toBe(4);
    expect(result.stderr).toContain('does not offer explain_selection yet');
    expect(result.stderr).toContain('public/w1:math');
    expect(result.stderr).toContain('public/w2:math');
  });

  it('exits 3 when the hub cannot be reached', async () => {
    const hub = await startTestHub();
    const url = hub.url;
    await hub.close();
    const result = await runCli(['services', '--server-url', url]);
    expect(result.code).toBe(3);
    expect(result.stderr).toContain(`cannot connect to ${url}`);
  });

  it('exits 2 with a pointer to the help on a bad command line', async () => {
    const unknown = await runCli(['frobnicate']);
    expect(unknown).toMatchObject({ code: 2, stdout: '', stderr: 'mycel: unknown command "frobnicate"\nRun "mycel --help" for usage.\n' });
    const badFlag = await runCli(['call', 'math.add', '--interval', '2']);
    expect(badFlag).toMatchObject({ code: 2, stderr: 'mycel: "call" takes no --interval\nRun "mycel call --help" for usage.\n' });
    const noTarget = await runCli(['call', 'math']);
    expect(noTarget.code).toBe(2);
    expect(noTarget.stderr).toContain('"math" is not SERVICE.FN');
    const noMode = await runCli(['explain', 'math']);
    expect(noMode).toMatchObject({ code: 2, stderr: 'mycel: explain needs --mode MODE\nRun "mycel explain --help" for usage.\n' });
  });

  it('prints help for the command and for each subcommand, from the built bin too', async () => {
    const main = await runCli(['--help'], { bin: true });
    expect(main.code).toBe(0);
    for (const command of ['services', 'call SERVICE.FN', 'status [SERVICE]', 'watch [SERVICE]', 'explain SERVICE --mode MODE']) {
      expect(main.stdout).toContain(command);
    }
    for (const command of ['services', 'call', 'status', 'watch', 'explain']) {
      const help = await runCli([command, '--help']);
      expect(help.code).toBe(0);
      expect(help.stdout).toMatch(new RegExp(`^Usage: mycel ${command}`));
      expect(help.stdout).toContain('--server-url');
    }
  });
});
