/** `mycel services`: the services of the workspace. */
import type { CommandLine } from '../args.js';
import { connect } from '../hub-access.js';
import { printJson, type CliIo } from '../io.js';
import { formatTable } from '../table.js';

export async function servicesCommand(cmd: CommandLine, io: CliIo): Promise<void> {
  const api = await connect(cmd.connection);
  try {
    const all = await api.listServices();
    const services = cmd.all ? all : all.filter((s) => !String(s.id).endsWith(':built-in'));
    if (cmd.json) {
      printJson(io, services);
      return;
    }
    if (services.length === 0) {
      io.out(`no services in workspace "${String(api.config.workspace)}"\n`);
      return;
    }
    const rows = services.map((s) => {
      const config = (s.config ?? {}) as { visibility?: unknown };
      const description = String(s.description ?? '');
      return [String(s.id), String(s.type ?? ''), String(config.visibility ?? ''), description.length > 60 ? `${description.slice(0, 57)}...` : description];
    });
    io.out(`${formatTable(['ID', 'TYPE', 'VISIBILITY', 'DESCRIPTION'], rows)}\n`);
  } finally {
    await api.disconnect();
  }
}
