/**
 * What the `balance:` end-to-end tests share: a hub with one SDK caller, and the `MycelError` a
 * promise rejects with.
 */
import { expect } from 'vitest';
import { connectToServer, MycelError, type ConnectOptions, type MycelClient } from '@mycel/client';
import type { HubOptions } from '@mycel/server';
import { startTestHub, type TestHub } from './hub.js';

/**
 * A hub and a caller (`client_id` "caller"); both are closed by `cleanup`, the test's list of
 * clean-up steps, after what the test added to it before.
 */
export async function hubWithCaller(
  cleanup: Array<() => Promise<void>>,
  options: HubOptions = {},
  callerOptions: Partial<ConnectOptions> = {},
): Promise<{ hub: TestHub; caller: MycelClient }> {
  const hub = await startTestHub(options);
  const caller = await connectToServer({ server_url: hub.url, client_id: 'caller', ...callerOptions });
  cleanup.push(async () => {
    await caller.disconnect();
    await hub.close();
  });
  return { hub, caller };
}

/** The `MycelError` `promise` rejects with (the test fails if it resolves or rejects otherwise). */
export async function rejection(promise: Promise<unknown>): Promise<MycelError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(MycelError);
  return error as MycelError;
}
