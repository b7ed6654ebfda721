/**
 * startHub on an address it cannot bind rejects with an error that names the address and the
 * reason (the system error kept as `cause`), instead of crashing the process.
 */
import { describe, expect, it } from 'vitest';
import pino from 'pino';
import { startHub } from '@mycel/server';
import { startTestHub } from '../helpers/hub.js';

describe('startHub', () => {
  it('rejects with a clear error when the port is in use', async () => {
    await using taken = await startTestHub();
    const error = (await startHub({ host: '127.0.0.1', port: taken.port, logger: pino({ level: 'silent' }) }).catch(
      (e: unknown) => e,
    )) as Error & { code?: string; cause?: { code?: string } };
    expect(error).toBeInstanceOf(Error);
    expect(error.message).toBe(
      `cannot listen on 127.0.0.1:${taken.port}: the port is already in use (another hub still running?); ` +
        'stop that process or choose another port (--port, or 0 for any free one)',
    );
    expect(error.code).toBe('EADDRINUSE');
    expect(error.cause?.code).toBe('EADDRINUSE');
    // The hub that holds the port is untouched.
    expect((await fetch(`${taken.url}/health/liveness`)).status).toBe(200);
  });
});
