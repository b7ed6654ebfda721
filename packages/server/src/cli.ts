/**
 * `mycel-hub`: starts a hub from the command line. The only place that reads argv and env,
 * handles signals and calls `process.exit`; the flags and their defaults are in `cli-options.ts`.
 */
import { createCliLog } from './cli-log.js';
import { readCliSettings, usage, type CliSettings } from './cli-options.js';
import { startHub } from './hub.js';
import { DEFAULT_HUB_OPTIONS } from './hub-options.js';

/** Longest wait for buffered log lines at exit; a reader that is stuck gets no more. */
const LOG_FLUSH_DEADLINE_MS = 1_000;
/** Past this much time after SIGINT/SIGTERM beyond the hub's close grace, the process exits anyway. */
const SHUTDOWN_MARGIN_MS = 3_000;

async function main(): Promise<void> {
  let settings: CliSettings;
  try {
    settings = readCliSettings(process.argv.slice(2), process.env);
  } catch (error) {
    const message = (error as Error).message;
    // A bad value gets one line; an unknown flag also the usage.
    process.stderr.write(message.startsWith('invalid ') ? `${message}\n` : `${message}\n${usage()}\n`);
    process.exit(2);
  }
  if (settings.help) {
    process.stdout.write(`${usage()}\n`);
    return;
  }
  const isPretty = settings.logFormat === 'pretty' || (settings.logFormat === 'auto' && process.stdout.isTTY === true);
  const log = createCliLog(settings.logLevel, isPretty);
  const logger = log.logger;
  // The last line of defence: the router refuses bad input and keeps its own errors, so anything
  // that still escapes is a bug. Log it and keep serving everyone else rather than exit.
  process.on('uncaughtException', (error) => logger.error({ err: String(error), stack: error.stack }, 'uncaught exception; still serving'));
  process.on('unhandledRejection', (reason) => logger.error({ err: String(reason) }, 'unhandled rejection; still serving'));
  const started = startHub({ ...settings.hubOptions, logger });
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
    }, (settings.hubOptions.closeGraceMs ?? DEFAULT_HUB_OPTIONS.closeGraceMs) + SHUTDOWN_MARGIN_MS);
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
