/** `mycel call SERVICE.FN [ARGS...]`: calls one function and prints its result. */
import { parseArgument, UsageError, type CommandLine } from '../args.js';
import { connect } from '../hub-access.js';
import { printJson, type CliIo } from '../io.js';

/** Default answer timeout of `mycel call`, in seconds. */
const DEFAULT_CALL_TIMEOUT_S = 30;

export async function callCommand(cmd: CommandLine, io: CliIo): Promise<void> {
  const [target, ...rawArgs] = cmd.positionals;
  if (!target) throw new UsageError('call needs SERVICE.FN', 'call');
  const { service, fn } = splitTarget(target);
  const timeoutS = cmd.timeoutS ?? DEFAULT_CALL_TIMEOUT_S;
  const api = await connect(cmd.connection, timeoutS);
  try {
    const proxy = (await api.getService(service, { ...(cmd.mode ? { mode: cmd.mode } : {}), timeout: timeoutS })) as Record<string, unknown>;
    let member: unknown = proxy;
    for (const key of fn.split('.')) {
      member = member !== null && typeof member === 'object' && Object.hasOwn(member, key) ? (member as Record<string, unknown>)[key] : undefined;
    }
    if (typeof member !== 'function') {
      throw Object.assign(new Error(`function "${fn}" not found in service "${service}"`), { code: 'METHOD_NOT_FOUND' });
    }
    const result: unknown = await (member as (...args: unknown[]) => unknown)(...rawArgs.map(parseArgument));
    if (!cmd.json && typeof result === 'string') io.out(`${result}\n`);
    else printJson(io, result === undefined ? null : result);
  } finally {
    await api.disconnect();
  }
}

/**
 * `svc.fn`, `client:svc.fn`, `ws/client:svc.fn.nested`: the function starts at the first dot
 * after the service's workspace and client parts.
 */
export function splitTarget(target: string): { service: string; fn: string } {
  const start = Math.max(target.lastIndexOf('/'), target.lastIndexOf(':')) + 1;
  const dot = target.indexOf('.', start);
  if (dot <= start || dot === target.length - 1) {
    throw new UsageError(`"${target}" is not SERVICE.FN (for example "math.add")`, 'call');
  }
  return { service: target.slice(0, dot), fn: target.slice(dot + 1) };
}
