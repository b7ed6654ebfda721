import { afterEach, expect, it } from 'vitest';
import { startTestHub } from '../../helpers/hub.js';
import { describeWithPython, startPython, type PythonProcess } from '../../helpers/python.js';

const running: PythonProcess[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((p) => p.kill()));
});

describeWithPython('the seed example with the official Python client', () => {
  it('selects "fast" by select:min:get_load, again, and "slow" by select:max', async () => {
    await using hub = await startTestHub();
    const workers = (
      [
        ['fast', 0.2],
        ['medium', 0.5],
        ['slow', 0.8],
      ] as const
    ).map(([name, load]) => {
      const worker = startPython('test/fixtures/python/task_worker.py', [hub.url, name, String(load)]);
      running.push(worker);
      return worker.waitForLine(new RegExp(`^worker ${name} ready$`));
    });
    await Promise.all(workers);
    const client = startPython('test/fixtures/python/seed_client.py', [hub.url]);
    running.push(client);
    expect(await client.exited()).toBe(0);
    // Exactly these lines besides the client's own log lines (`WARNING:RPC:...` on disconnect):
    // in particular no `None` announcement on connect.
    expect(client.lines.filter((line) => !/^[A-Z]+:[\w.-]+:/.test(line))).toEqual([
      "select:min:get_load: Task 'important-task' processed by fast",
      "select:min:get_load: Task 'important-task' processed by fast",
      "select:max:get_load: Task 'important-task' processed by slow",
    ]);
  }, 30_000);
});
