/**
 * `mycel-hub`: starts a hub from the command line. The only place that reads argv and env,
 * handles signals and calls `process.exit`.
 */
import { parseArgs } from 'node:util';
import { createCliLog } from './cli-log.js';
import { startHub } from './hub.js';
import { DEFAULT_HUB_OPTIONS } from './hub-options.js';

const { host: DEFAULT_HOST, port: DEFAULT_PORT } = DEFAULT_HUB_OPTIONS;

/** Longest wait for buffered log lines at exit; a reader that is stuck gets no more. */
const LOG_FLUSH_DEADLINE_MS = 1_000;
/** Past this much time after SIGINT/SIGTERM beyond the hub's close grace, the process exits anyway. */
const SHUTDOWN_MARGIN_MS = 3_000;

const USAGE = `Usage: mycel-hub [--host ${DEFAULT_HOST}] [--port ${DEFAULT_PORT}] [--log-level info]

  --host       interface to listen on (default ${DEFAULT_HOST})
  --port       port to listen on; 0 picks a free one (default ${DEFAULT_PORT})
  --log-level  pino level: trace, debug, info, warn, error, silent (default info)
  --help       show this help`;

async function main(): Promise<void> {
  let values: { host?: string; port?: string; 'log-level'?: string; help?: boolean };
  try {
    ({ values } = parseArgs({
      options: {
        host: { type: 'string' },
        port: { type: 'string' },
        'log-level': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
    }));
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n${USAGE}\n`);
    process.exit(2);
  }
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const port = values.port === undefined ? DEFAULT_PORT : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    process.stderr.write(`invalid --port "${values.port}": expected an integer from 0 to 65535\n`);
    process.exit(2);
  }
  const log = createCliLog(values['log-level'] ?? process.env.MYCEL_LOG_LEVEL ?? 'info');
  const logger = log.logger;
  // The last line of defence: the router refuses bad input and keeps its own errors, so anything
  // that still escapes is a bug. Log it and keep serving everyone else rather than exit.
  process.on('uncaughtException', (error) => logger.error({ err: String(error), stack: error.stack }, 'uncaught exception; still serving'));
  process.on('unhandledRejection', (reason) => logger.error({ err: String(reason) }, 'unhandled rejection; still serving'));
  const started = startHub({ host: values.host ?? DEFAULT_HOST, port, logger });
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    // Whatever happens below, the process ends within the hub's close grace plus a margin.
    setTimeout(() => {
      const message = 'shutdown took too long; exiting';
      process.stderr.write(`mycel-hub: ${message}\n`);
      process.exit(1);
    }, DEFAULT_HUB_OPTIONS.closeGraceMs + SHUTDOWN_MARGIN_MS);
    started
      .then((hub) => hub.close())
      .then(
        () => log.flush(LOG_FLUSH_DEADLINE_MS).then(() => process.exit(0)),
        (error: unknown) => {
          logger.error({ err: String(error) }, 'shutdown failed');
          return log.flush(LOG_FLUSH_DEADLINE_MS).then(() => process.exit(1));
        },
      );
  };
  // Handlers go in before the hub starts: a supervisor may signal as soon as it reads the
  // `hub listening` line, and a signal with no handler kills the process without a clean close.
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
  await started;
}

main().catch((error: unknown) => {
  process.stderr.write(`mycel-hub: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
