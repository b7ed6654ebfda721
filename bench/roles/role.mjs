/**
 * Runs a bench role (hub, workers, callers, idle clients) in a child process and talks to it
 * over Node's IPC channel: the parent sends `{id, cmd, args}`, the child answers `{id, result}` or
 * `{id, error}`. Children are started through `sh -c 'ulimit -n <hard>; exec node ...'` so a role
 * that holds thousands of sockets gets the highest file-descriptor limit the machine allows.
 * With `MYCEL_BENCH_PROFILE_DIR` set, every role runs under `node --cpu-prof` and writes its
 * profile to `<dir>/<system>-<role>/`.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';

const ROLES_DIR = fileURLToPath(new URL('.', import.meta.url));

/**
 * @typedef {object} RoleProcess
 * @property {number} pid
 * @property {Record<string, unknown>} ready what the child sent once it was ready
 * @property {(cmd: string, args?: unknown) => Promise<any>} request
 * @property {() => Promise<void>} stop asks the child to clean up and exit (SIGKILL after 15 s)
 */

/**
 * Starts `roles/<role>.mjs` with `args` and resolves once it reports ready.
 * @param {string} role
 * @param {string[]} args
 * @param {{ execArgv?: string[], cpus?: string }} [options] extra node flags (`--expose-gc`,
 *   `--cpu-prof`, ...); the cores to pin the process to (`taskset -c`)
 * @returns {Promise<RoleProcess>}
 */
export async function startRole(role, args, { execArgv = [], cpus } = {}) {
  // `cpus` (e.g. "0") pins the process to those cores with taskset (util-linux).
  const pin = cpus === undefined ? '' : `taskset -c ${cpus} `;
  const script = `ulimit -n "$(ulimit -Hn)" 2>/dev/null; exec ${pin}"$0" "$@"`;
  const profileDir = process.env.MYCEL_BENCH_PROFILE_DIR;
  const flags = profileDir ? [...execArgv, '--cpu-prof', `--cpu-prof-dir=${profileDir}/${args[0] ?? 'any'}-${role}`] : execArgv;
  const child = spawn('/bin/sh', ['-c', script, process.execPath, ...flags, `${ROLES_DIR}${role}.mjs`, ...args], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  /** @type {Map<number, { resolve: (v: unknown) => void, reject: (e: Error) => void }>} */
  const pending = new Map();
  let nextId = 0;
  const exited = once(child, 'exit');
  const ready = new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`role ${role} ${args.join(' ')} exited with ${code} before ready`)));
    child.on('message', (message) => {
      if (message.ready) resolve(message.ready);
      const waiter = pending.get(message.id);
      if (!waiter) return;
      pending.delete(message.id);
      if ('error' in message) waiter.reject(new Error(`${role}: ${message.error}`));
      else waiter.resolve(message.result);
    });
  });
  child.once('exit', (code) => {
    for (const waiter of pending.values()) waiter.reject(new Error(`role ${role} exited with ${code}`));
    pending.clear();
  });
  const request = (cmd, payload) =>
    new Promise((resolve, reject) => {
      const id = nextId++;
      pending.set(id, { resolve, reject });
      child.send({ id, cmd, args: payload });
    });
  return {
    pid: child.pid,
    ready: await ready,
    request,
    async stop() {
      if (child.exitCode !== null) return;
      const kill = setTimeout(() => child.kill('SIGKILL'), 15_000);
      request('stop').catch(() => {});
      await exited;
      clearTimeout(kill);
    },
  };
}

/**
 * The child side: reports `ready` and answers requests with `handlers[cmd](args)`. The `stop`
 * handler is called before the process exits.
 * @param {Record<string, unknown>} ready
 * @param {Record<string, (args: any) => unknown>} handlers must include `stop`
 */
export function serveRole(ready, handlers) {
  process.on('message', async ({ id, cmd, args }) => {
    try {
      const handler = handlers[cmd];
      if (!handler) throw new Error(`unknown command "${cmd}"`);
      const result = await handler(args);
      process.send({ id, result: result ?? null }, () => {
        if (cmd === 'stop') process.disconnect();
      });
    } catch (error) {
      process.send({ id, error: error instanceof Error ? error.stack ?? error.message : String(error) });
    }
  });
  process.on('disconnect', () => process.exit(0));
  process.send({ ready });
}
