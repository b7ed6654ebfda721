/**
 * The `mycel-hub` command line: every hub option as a flag and an environment variable, with its
 * default from {@link DEFAULT_HUB_OPTIONS}, the usage text made from the same table, and the
 * parsing of argv and env into {@link HubOptions}. Pure: `cli.ts` passes argv and env in.
 */
import { parseArgs } from 'node:util';
import { DEFAULT_HUB_OPTIONS, type HubOptions } from './hub-options.js';

type Settable = keyof typeof DEFAULT_HUB_OPTIONS | 'tokenSecret';

/**
 * What each hub option means, in a few words, for `--help` (the JSDoc of `HubOptions` says more).
 * Typed over every option, so a new option cannot be left out of `--help`.
 */
const DESCRIPTIONS: Record<Settable, string> = {
  host: 'interface to listen on',
  port: 'port to listen on; 0 picks a free one',
  hubId: 'hub id, part of the manager id; keep it stable across restarts',
  handshakeTimeoutMs: 'time allowed for the connection request, ms',
  maxHandshakeChars: 'largest connection request, characters',
  methodTimeoutMs: 'longest call the manager makes for a client, ms',
  maxPayloadBytes: 'largest frame; larger ones close the socket (1009)',
  maxServicesPerClient: 'most services one client may register',
  maxServiceInfoBytes: 'largest service info, packed bytes',
  maxListReplyBytes: 'largest list_services reply, packed bytes',
  maxInFlightPerClient: 'most unanswered calls routed to one client',
  maxInFlightPerCaller: 'most unanswered calls from one caller to one client',
  maxBufferedBytes: 'most bytes queued for a client that does not read',
  maxConnections: 'most WebSocket connections at once',
  maxTotalBufferedBytes: 'most bytes queued for all clients together',
  maxMessagesPerSecond: 'messages per second one client may send',
  messageBurst: 'messages one client may send in a burst above its rate',
  maxQueuedMessages: 'messages of an over-rate client that may wait',
  maxControlFrameChars: 'longest text (control) frame read',
  pingIntervalMs: 'WebSocket ping interval, ms; a missed pong drops the client',
  maxSubscriptionsPerClient: 'event types one client may subscribe to',
  maxManagerCallsPerClient: 'manager operations that call out, per client at once',
  maxManagerBodyBytes: 'largest message body the manager decodes, bytes',
  maxManagerBodyValues: 'most msgpack values in a body the manager decodes',
  managerPingTimeoutMs: 'default timeout of the manager ping, ms',
  maxBalancedServicesPerClient: 'balanced services (balance: proxies) one client may hold',
  maxQueuedCallsPerClient: 'calls of one client that may wait for a free instance',
  maxQueuedBytesPerClient: 'bytes of such waiting calls per client',
  maxQueueWaitMs: 'longest a call waits for a free instance, ms',
  loadReportMaxAgeMs: 'longest a load report (last select:min|max answer) counts, ms',
  closeGraceMs: 'time a closing hub waits for peers, ms',
  httpCallTimeoutMs: 'longest HTTP service call, selection included, ms',
  maxHttpBodyBytes: 'largest HTTP request body, bytes (413 past it)',
  maxHttpQueryChars: 'longest HTTP query string, characters (414 past it)',
  metrics: 'serve Prometheus metrics at /metrics',
  metricsInstanceLabels: 'label call metrics with the instance id (false: per service)',
  statusWindowMs: 'recent window of the status figures, ms',
  statusStreamIntervalMs: 'time between status stream events, ms',
  maxStatusStreams: 'status streams (and dashboards) open at once',
  reconnectionTokenLifetimeS: 'lifetime of reconnection tokens, seconds',
  tokenSecret: 'secret of reconnection tokens; prefer the env var (a flag shows in ps)',
};

/** One option of the command line. */
interface CliOption {
  key: Settable;
  flag: string;
  env: string;
  isNumber: boolean;
  isBoolean: boolean;
  defaultText: string;
}

const kebab = (key: string) => key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
const screaming = (key: string) => `MYCEL_${key.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase()}`;

/** Every hub option the command line sets, in the order of {@link DEFAULT_HUB_OPTIONS}. */
export const CLI_OPTIONS: readonly CliOption[] = [
  ...Object.entries(DEFAULT_HUB_OPTIONS).map(([key, value]) => ({
    key: key as Settable,
    flag: kebab(key),
    env: screaming(key),
    isNumber: typeof value === 'number',
    isBoolean: typeof value === 'boolean',
    defaultText: key === 'messageBurst' ? 'twice the rate' : String(value),
  })),
  { key: 'tokenSecret', flag: 'token-secret', env: 'MYCEL_TOKEN_SECRET', isNumber: false, isBoolean: false, defaultText: 'random per start' },
];

/** Levels pino knows. */
export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;
/** Log formats: JSON lines, one line per entry for people, or pretty on a terminal and JSON otherwise. */
export const LOG_FORMATS = ['json', 'pretty', 'auto'] as const;

/** The usage text: every flag with its environment variable and default. */
export function usage(): string {
  const rows: [string, string, string][] = [
    ...CLI_OPTIONS.map((o): [string, string, string] => [
      `--${o.flag}${o.isNumber ? ' N' : o.isBoolean ? ' true|false' : ' TEXT'}`,
      o.env,
      `${DESCRIPTIONS[o.key]} (default ${o.defaultText})`,
    ]),
    ['--log-level LEVEL', 'MYCEL_LOG_LEVEL', `${LOG_LEVELS.join(', ')} (default info)`],
    ['--log-format FORMAT', 'MYCEL_LOG_FORMAT', 'json, pretty, or auto: pretty on a terminal, json otherwise (default auto)'],
    ['--help, -h', '', 'show this help'],
  ];
  const w0 = Math.max(...rows.map((r) => r[0].length));
  const w1 = Math.max(...rows.map((r) => r[1].length));
  const lines = rows.map(([flag, env, text]) => `  ${flag.padEnd(w0)}  ${env.padEnd(w1)}  ${text}`);
  return [
    'Usage: mycel-hub [options]',
    '',
    'Starts a Mycel hub. Each option is a flag or an environment variable; the flag wins.',
    '',
    ...lines,
  ].join('\n');
}

/** What the command line asks for. */
export interface CliSettings {
  help: boolean;
  hubOptions: Omit<HubOptions, 'logger'>;
  logLevel: string;
  logFormat: (typeof LOG_FORMATS)[number];
}

/** Reads argv and env; throws an `Error` with a one-line message for a bad value or flag. */
export function readCliSettings(argv: readonly string[], env: Readonly<Record<string, string | undefined>>): CliSettings {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      ...Object.fromEntries(CLI_OPTIONS.map((o) => [o.flag, { type: 'string' as const }])),
      'log-level': { type: 'string' },
      'log-format': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  const given = (flag: string, envName: string): string | undefined => {
    const value = (values as Record<string, string | boolean | undefined>)[flag];
    return typeof value === 'string' ? value : env[envName] || undefined;
  };
  const hubOptions: Record<string, unknown> = {};
  for (const option of CLI_OPTIONS) {
    const text = given(option.flag, option.env);
    if (text === undefined) continue;
    hubOptions[option.key] = option.isNumber ? readNumber(option, text) : option.isBoolean ? readBoolean(option, text) : text;
  }
  const logLevel = given('log-level', 'MYCEL_LOG_LEVEL') ?? 'info';
  if (!(LOG_LEVELS as readonly string[]).includes(logLevel)) {
    throw new Error(`invalid --log-level "${logLevel}": expected one of ${LOG_LEVELS.join(', ')}`);
  }
  const logFormat = given('log-format', 'MYCEL_LOG_FORMAT') ?? 'auto';
  if (!(LOG_FORMATS as readonly string[]).includes(logFormat)) {
    throw new Error(`invalid --log-format "${logFormat}": expected one of ${LOG_FORMATS.join(', ')}`);
  }
  return { help: values.help === true, hubOptions, logLevel, logFormat: logFormat as CliSettings['logFormat'] };
}

function readBoolean(option: CliOption, text: string): boolean {
  if (text === 'true') return true;
  if (text === 'false') return false;
  throw new Error(`invalid --${option.flag} "${text}": expected true or false`);
}

function readNumber(option: CliOption, text: string): number {
  const value = Number(text);
  if (option.key === 'port') {
    if (!Number.isInteger(value) || value < 0 || value > 65535) {
      throw new Error(`invalid --port "${text}": expected an integer from 0 to 65535`);
    }
    return value;
  }
  if (!Number.isInteger(value) || value < 1) throw new Error(`invalid --${option.flag} "${text}": expected a positive integer`);
  return value;
}
