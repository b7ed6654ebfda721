/**
 * `mycel explain SERVICE --mode MODE`: asks the manager's `explain_selection`. A hub without it
 * gets a clear message, the candidates it can list, and exit code 4.
 */
import { UsageError, type CommandLine } from '../args.js';
import { connect, UnsupportedError } from '../hub-access.js';
import { printJson, type CliIo } from '../io.js';
import { formatTable } from '../table.js';

export async function explainCommand(cmd: CommandLine, io: CliIo): Promise<void> {
  const [service] = cmd.positionals;
  if (!service) throw new UsageError('explain needs SERVICE', 'explain');
  if (!cmd.mode) throw new UsageError('explain needs --mode MODE', 'explain');
  const api = await connect(cmd.connection);
  try {
    const manager = (await api.getService('~')) as Record<string, unknown>;
    const explain = manager.explain_selection;
    if (typeof explain === 'function') {
      printJson(io, await (explain as (query: string, config: unknown) => Promise<unknown>)(service, { mode: cmd.mode }));
      return;
    }
    const candidates = await api.listServices({ service_id: service.slice(service.lastIndexOf(':') + 1) });
    const listing = candidates.length === 0
      ? `no instance of "${service}" is registered`
      : `candidates:\n${formatTable(['ID'], candidates.map((c) => [String(c.id)]))}`;
    throw new UnsupportedError(
      `this hub does not offer explain_selection yet (it comes with per-call balancing), so it cannot say why "${cmd.mode}" picks an instance; ${listing}`,
    );
  } finally {
    await api.disconnect();
  }
}
