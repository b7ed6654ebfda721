import { afterEach, describe, expect, it } from 'vitest';
import { startTestHub } from '../helpers/hub.js';
import { startProcess, type TestProcess } from '../helpers/process.js';

const running: TestProcess[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((p) => p.kill()));
});

function run(file: string, env: Record<string, string>): TestProcess {
  const child = startProcess(file, [], env);
  running.push(child);
  return child;
}

describe('examples/hello', () => {
  it('runs the worker and the caller with one command each', async () => {
    await using hub = await startTestHub();
    const env = { MYCEL_SERVER_URL: hub.url };
    const worker = run('examples/hello/worker.ts', env);
    await worker.waitForLine(/^worker ready: public\/hello-worker:hello$/);
    const caller = run('examples/hello/caller.ts', env);
    const { code } = await caller.exited();
    expect(caller.stderr()).toBe('');
    expect(code).toBe(0);
    expect(caller.lines).toEqual(['Hello, Mycel!', 'IT WORKS']);
  });
});

describe('examples/load-balancing', () => {
  it('sends the task to the least loaded of three workers', async () => {
    const main = run('examples/load-balancing/main.ts', {});
    const { code } = await main.exited();
    expect(main.stderr()).toBe('');
    expect(code).toBe(0);
    expect(main.lines).toEqual(["Task 'important-task' processed by fast"]);
  }, 30_000);
});
