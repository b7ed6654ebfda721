import { afterEach, describe, expect, it, onTestFinished } from 'vitest';
import { startTestHub } from '../helpers/hub.js';
import { startProcess, type TestProcess } from '../helpers/process.js';
import { describeWithPython, startPython } from '../helpers/python.js';

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

describe('examples/balancing', () => {
  it('sends each call to a worker chosen for it, and prints who served what', async () => {
    const main = run('examples/balancing/main.ts', {});
    const { code } = await main.exited();
    expect(main.stderr()).toBe('');
    expect(code).toBe(0);
    expect(main.lines).toHaveLength(3);
    const [turns, weighted, leastBusy] = main.lines as [string, string, string];
    // Round robin: two each, in a repeating order.
    const turnsOrder = /^round_robin, one at a time: fast 2, medium 2, slow 2 \((\w+) (\w+) (\w+) \1 \2 \3\)$/.exec(turns);
    expect(turnsOrder, turns).not.toBeNull();
    // Weighted 3:2:1 over twelve calls: exactly 6, 4 and 2.
    expect(weighted).toMatch(/^weighted, one at a time: fast 6, medium 4, slow 2 \(/);
    // Least in flight: the fast worker frees its slots soonest and serves the most.
    const counts = /^least_inflight, 12 in flight: fast (\d+), medium (\d+), slow (\d+)$/.exec(leastBusy);
    expect(counts, leastBusy).not.toBeNull();
    const [fast, medium, slow] = (counts as RegExpExecArray).slice(1).map(Number) as [number, number, number];
    expect(fast + medium + slow).toBe(60);
    expect(fast).toBeGreaterThan(medium);
    expect(fast).toBeGreaterThan(slow);
  }, 30_000);
});

describeWithPython('examples/python', () => {
  it('runs the load-balancing example in Python with one command', async () => {
    const main = startPython('examples/python/load_balancing.py');
    onTestFinished(() => main.kill());
    expect(await main.exited()).toBe(0);
    expect(main.stderr()).toBe('');
    // The client's own log lines (`WARNING:RPC:...` on disconnect) aside.
    expect(main.lines.filter((line) => !/^[A-Z]+:[\w.-]+:/.test(line))).toEqual(["Task 'important-task' processed by fast"]);
  }, 30_000);
});
