/**
 * The CLI's logger: pino JSON lines on stdout that never block the hub. With pino's default
 * destination, a log reader that stops reading (a stuck pipe) made every write wait: the hub
 * stopped serving and, once SIGTERM came, could not exit (a write blocked in the thread pool holds
 * the process at exit). When stdout is a pipe or a socket it is written here through a
 * non-blocking handle with a bounded buffer: lines past {@link LOG_BUFFER_BYTES} are dropped
 * until the reader catches up, and a reader that is gone (EPIPE) ends logging. A file or a
 * terminal gets pino's synchronous destination, as before.
 */
import { fstatSync } from 'node:fs';
import { Socket } from 'node:net';
import pino, { type Logger } from 'pino';
import { formatLogLine, prettyDestination } from './pretty-log.js';

/** Bytes of log lines held for a reader that does not keep up; later lines are dropped. */
export const LOG_BUFFER_BYTES = 8 * 1024 * 1024;

/** A logger and what the CLI needs to end it. */
export interface CliLog {
  logger: Logger;
  /** Resolves once buffered lines are written, or after `deadlineMs` if the reader is stuck. */
  flush(deadlineMs: number): Promise<void>;
}

/** Creates the CLI's logger at `level`, writing to file descriptor 1, readable lines when `isPretty`. */
export function createCliLog(level: string, isPretty = false): CliLog {
  if (!isPipe(1)) {
    const logger = isPretty ? pino({ level }, prettyDestination(process.stdout)) : pino({ level });
    return { logger, flush: () => Promise.resolve() };
  }
  const out = new Socket({ fd: 1, readable: false, writable: true });
  // EPIPE and the like: nobody reads any more. Without a listener the error would kill the hub.
  out.on('error', () => out.destroy());
  const sink = {
    write(line: string): boolean {
      if (out.destroyed || out.writableLength > LOG_BUFFER_BYTES) return true;
      return out.write(isPretty ? formatLogLine(line) : line);
    },
  };
  return {
    logger: pino({ level }, sink),
    flush(deadlineMs) {
      if (out.destroyed || out.writableLength === 0) return Promise.resolve();
      return new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, deadlineMs);
        out.once('drain', () => {
          clearTimeout(timer);
          resolve();
        });
      });
    },
  };
}

function isPipe(fd: number): boolean {
  try {
    const stat = fstatSync(fd);
    return stat.isFIFO() || stat.isSocket();
  } catch {
    return false;
  }
}
