/**
 * Listening on a port, with an error that says what went wrong and what to do about it: a port
 * already in use is the most common first-run mistake (a hub still running in another terminal).
 */
import type { Server } from 'node:http';

/** Why a socket could not be bound, in words, by the system's error code. */
const REASONS: Record<string, string> = {
  EADDRINUSE: 'the port is already in use (another hub still running?); stop that process or choose another port (--port, or 0 for any free one)',
  EACCES: 'permission denied (ports below 1024 need privileges); choose a port from 1024 up',
  EADDRNOTAVAIL: 'the address is not one of this machine\'s interfaces; check --host',
};

/**
 * Starts `server` listening; resolves once it listens, rejects with an `Error` that names the
 * address and the reason, with the system error as `cause` and its `code` (`EADDRINUSE`, ...).
 */
export function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) => reject(listenError(error, host, port));
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve();
    });
  });
}

function listenError(cause: NodeJS.ErrnoException, host: string, port: number): Error {
  const address = `${host.includes(':') ? `[${host}]` : host}:${port}`;
  const reason = (cause.code && REASONS[cause.code]) ?? cause.message;
  return Object.assign(new Error(`cannot listen on ${address}: ${reason}`, { cause }), { code: cause.code });
}
