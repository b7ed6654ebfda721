/**
 * Runs one `mycel` command line and returns its exit code. Every failure becomes a one-line
 * message on stderr and an exit code from {@link EXIT}; nothing is thrown.
 */
import { isMycelError } from '@mycel/client';
import { parseCommandLine, UsageError, type CommandLine } from './args.js';
import { callCommand } from './commands/call.js';
import { explainCommand } from './commands/explain.js';
import { servicesCommand } from './commands/services.js';
import { statusCommand, watchCommand } from './commands/status.js';
import { HttpAnswerError, UnreachableError, UnsupportedError } from './hub-access.js';
import type { CliIo } from './io.js';
import { EXIT, HELP } from './usage.js';

const RUNNERS: Record<string, (cmd: CommandLine, io: CliIo) => Promise<void>> = {
  services: servicesCommand,
  call: callCommand,
  status: statusCommand,
  watch: watchCommand,
  explain: explainCommand,
};

/** Runs `argv` (without node and the script). */
export async function run(argv: readonly string[], io: CliIo, env: Readonly<Record<string, string | undefined>>): Promise<number> {
  let cmd: CommandLine;
  try {
    cmd = parseCommandLine(argv, env);
  } catch (error) {
    return usage(io, error as UsageError);
  }
  const runner = RUNNERS[cmd.command];
  if (cmd.help || !runner) {
    io.out(`${HELP[cmd.command] ?? HELP.main}\n`);
    return cmd.help ? EXIT.OK : EXIT.USAGE;
  }
  try {
    await runner(cmd, io);
    return EXIT.OK;
  } catch (error) {
    if (error instanceof UsageError) return usage(io, error);
    if (error instanceof UnreachableError) {
      io.err(`mycel: ${error.message}\n`);
      return EXIT.UNREACHABLE;
    }
    if (error instanceof UnsupportedError) {
      io.err(`mycel: ${error.message}\n`);
      return EXIT.UNSUPPORTED;
    }
    if (error instanceof HttpAnswerError) {
      io.err(`mycel: ${error.code ?? `HTTP ${error.status}`}: ${error.message}\n`);
      return EXIT.FAILED;
    }
    const code = isMycelError(error) ? error.code : (error as { code?: unknown }).code;
    io.err(`mycel: ${typeof code === 'string' ? `${code}: ` : ''}${(error as Error).message ?? String(error)}\n`);
    return EXIT.FAILED;
  }
}

function usage(io: CliIo, error: UsageError): number {
  const command = error.command === 'main' ? '' : ` ${error.command}`;
  io.err(`mycel: ${error.message}\nRun "mycel${command} --help" for usage.\n`);
  return EXIT.USAGE;
}
