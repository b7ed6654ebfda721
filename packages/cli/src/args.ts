/**
 * The command line of `mycel`: one parse for every command, then a check that each option is
 * one its command takes.
 */
import { parseArgs } from 'node:util';

/** A bad command line: printed with the command's help, exit code 2. */
export class UsageError extends Error {
  readonly command: string;

  constructor(message: string, command = 'main') {
    super(message);
    this.name = 'UsageError';
    this.command = command;
  }
}

/** Where to reach the hub. */
export interface Connection {
  serverUrl: string;
  workspace: string | undefined;
  token: string | undefined;
}

/** A parsed command line. */
export interface CommandLine {
  command: string;
  positionals: string[];
  connection: Connection;
  json: boolean;
  help: boolean;
  mode: string | undefined;
  timeoutS: number | undefined;
  intervalS: number;
  count: number | undefined;
  all: boolean;
}

/** Commands and the options each takes besides the connection ones. */
export const COMMANDS: Readonly<Record<string, readonly string[]>> = {
  services: ['all'],
  call: ['mode', 'timeout'],
  status: [],
  watch: ['interval', 'count'],
  explain: ['mode'],
};

const DEFAULT_SERVER_URL = 'http://127.0.0.1:9527';

/** Parses `argv` (without node and the script); `env` gives the defaults of the connection. */
export function parseCommandLine(argv: readonly string[], env: Readonly<Record<string, string | undefined>>): CommandLine {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      options: {
        'server-url': { type: 'string', short: 's' },
        workspace: { type: 'string', short: 'w' },
        token: { type: 'string', short: 't' },
        json: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
        mode: { type: 'string' },
        timeout: { type: 'string' },
        interval: { type: 'string' },
        count: { type: 'string' },
        all: { type: 'boolean' },
      },
    });
  } catch (error) {
    throw new UsageError((error as Error).message, commandOf(argv));
  }
  const { values, positionals } = parsed;
  const [command = 'main', ...rest] = positionals;
  const help = values.help === true;
  if (command !== 'main' && !(command in COMMANDS)) {
    throw new UsageError(`unknown command "${command}"`);
  }
  const allowed = new Set(['server-url', 'workspace', 'token', 'json', 'help', ...(COMMANDS[command] ?? [])]);
  for (const [name, value] of Object.entries(values)) {
    if (value !== undefined && !allowed.has(name)) {
      throw new UsageError(command === 'main' ? `--${name} needs a command` : `"${command}" takes no --${name}`, command);
    }
  }
  return {
    command,
    positionals: rest,
    connection: {
      serverUrl: values['server-url'] ?? (env.MYCEL_SERVER_URL || DEFAULT_SERVER_URL),
      workspace: values.workspace ?? (env.MYCEL_WORKSPACE || undefined),
      token: values.token ?? (env.MYCEL_TOKEN || undefined),
    },
    json: values.json === true,
    help,
    mode: values.mode,
    timeoutS: values.timeout === undefined ? undefined : positiveNumber('--timeout', values.timeout, command),
    intervalS: values.interval === undefined ? 1 : positiveNumber('--interval', values.interval, command),
    count: values.count === undefined ? undefined : positiveInteger('--count', values.count, command),
    all: values.all === true,
  };
}

/** `ARG` as JSON when it parses, else the string itself. */
export function parseArgument(arg: string): unknown {
  try {
    return JSON.parse(arg) as unknown;
  } catch {
    return arg;
  }
}

function commandOf(argv: readonly string[]): string {
  const first = argv.find((a) => !a.startsWith('-'));
  return first !== undefined && first in COMMANDS ? first : 'main';
}

function positiveNumber(flag: string, raw: string, command: string): number {
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0) throw new UsageError(`invalid ${flag} "${raw}": expected a number of seconds above 0`, command);
  return n;
}

function positiveInteger(flag: string, raw: string, command: string): number {
  const n = Number(raw);
  if (!Number.isInteger(n) || n <= 0) throw new UsageError(`invalid ${flag} "${raw}": expected a whole number above 0`, command);
  return n;
}
