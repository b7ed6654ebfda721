/**
 * Group "connections": the hub's resident memory per idle connected client. A fresh hub per
 * round; its RSS (`VmRSS` of /proc/<pid>/status, after a forced GC where the hub is a Node
 * process) is read before any client and after each step of idle clients, which are raw sockets
 * doing the handshake only (see roles/idle-clients.mjs), spread over a few processes.
 */
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { startRole } from '../roles/role.mjs';

/** Time the hub gets after a step to finish its per-connection work before the reading. */
const SETTLE_MS = 1000;

/**
 * Resident set size of a process, in bytes.
 * @param {number} pid
 * @returns {number}
 */
export function readRssBytes(pid) {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!match) throw new Error(`no VmRSS for pid ${pid}`);
  return Number(match[1]) * 1024;
}

/**
 * One round for one hub: RSS per client at each of `counts` (ascending) idle clients.
 * @param {string} system a system running this hub
 * @param {'hypha-ws' | 'nats'} protocol what the idle clients speak
 * @param {{ counts: number[], processes: number }} plan
 * @param {{ hubExecArgv: string[] }} options
 * @returns {Promise<Record<string, number>>} `connections.<count>.bytesPerClient` and `.rssMiB`
 */
export async function runConnectionsRound(system, protocol, { counts, processes }, { hubExecArgv }) {
  const roles = [];
  try {
    const hub = await startRole('hub', [system], { execArgv: hubExecArgv });
    roles.push(hub);
    const { url, rssPid } = hub.ready;
    const holders = [];
    for (let p = 0; p < processes; p++) holders.push(await startRole('idle-clients', []));
    roles.push(...holders);

    const settledRss = async () => {
      await hub.request('gc');
      await sleep(SETTLE_MS);
      await hub.request('gc');
      return readRssBytes(rssPid);
    };
    const base = await settledRss();
    const metrics = { 'connections.baseRssMiB': base / 2 ** 20 };
    let opened = 0;
    for (const count of counts) {
      const fresh = Array.from({ length: count - opened }, (_, i) => `idle-${opened + i}`);
      await Promise.all(
        holders.map((holder, p) =>
          holder.request('open', { url, protocol, clientIds: fresh.filter((_, i) => i % processes === p) }),
        ),
      );
      opened = count;
      const rss = await settledRss();
      metrics[`connections.${count}.bytesPerClient`] = (rss - base) / count;
      metrics[`connections.${count}.rssMiB`] = rss / 2 ** 20;
    }
    return metrics;
  } finally {
    for (const role of roles.reverse()) await role.stop();
  }
}
