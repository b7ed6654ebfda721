/** `mycel status [SERVICE]` and `mycel watch [SERVICE]`: the workspace's status, once or live. */
import type { CommandLine } from '../args.js';
import { getJson, type HubAddress } from '../hub-access.js';
import { printJson, type CliIo } from '../io.js';
import type { WorkspaceStatus } from '@mycel/client';
import { statusTable } from '../status-view.js';

/** Clears the terminal and puts the cursor home (ANSI). */
const CLEAR_SCREEN = '\x1b[2J\x1b[H';

export async function statusCommand(cmd: CommandLine, io: CliIo): Promise<void> {
  const service = cmd.positionals[0];
  const status = await fetchStatus(cmd.connection);
  if (cmd.json) printJson(io, service === undefined ? status : { ...status, services: status.services.filter((s) => s.id === service) });
  else io.out(`${statusTable(status, service)}\n`);
}

export async function watchCommand(cmd: CommandLine, io: CliIo): Promise<void> {
  const service = cmd.positionals[0];
  let isStopped = false;
  let wake: (() => void) | undefined;
  const removeListener = io.onInterrupt(() => {
    isStopped = true;
    wake?.();
  });
  try {
    for (let n = 1; !isStopped; n++) {
      const status = await fetchStatus(cmd.connection);
      if (cmd.json) io.out(`${JSON.stringify(status)}\n`);
      else {
        const stamp = `${new Date().toISOString()}  ${cmd.connection.serverUrl}  workspace ${status.workspace}  (Ctrl-C to stop)`;
        io.out(`${io.isTTY ? CLEAR_SCREEN : n > 1 ? '\n' : ''}${stamp}\n${statusTable(status, service)}\n`);
      }
      if (cmd.count !== undefined && n >= cmd.count) break;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, cmd.intervalS * 1000);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  } finally {
    removeListener();
  }
}

async function fetchStatus(address: HubAddress): Promise<WorkspaceStatus> {
  const workspace = address.workspace ?? 'public';
  return (await getJson(address, `/${encodeURIComponent(workspace)}/status`)) as WorkspaceStatus;
}
