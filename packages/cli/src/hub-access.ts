/**
 * How the commands reach a hub: the SDK over the WebSocket for services and calls, plain HTTP
 * for the status. Failures to reach the hub are told apart from errors the hub answers with.
 */
import { connectToServer, normaliseServerUrl, type MycelClient } from '@mycel/client';

/** The hub could not be reached or refused the connection (exit code 3). */
export class UnreachableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnreachableError';
  }
}

/** The hub does not offer what a command needs (exit code 4). */
export class UnsupportedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnsupportedError';
  }
}

/** An error the hub answered over HTTP (exit code 1). */
export class HttpAnswerError extends Error {
  readonly status: number;
  readonly code: string | undefined;

  constructor(status: number, code: string | undefined, message: string) {
    super(message);
    this.name = 'HttpAnswerError';
    this.status = status;
    this.code = code;
  }
}

/** Where to reach the hub (from the command line). */
export interface HubAddress {
  serverUrl: string;
  workspace: string | undefined;
  token: string | undefined;
}

/** Connects with the SDK (no reconnection: a command is one short session). */
export async function connect(address: HubAddress, methodTimeoutS?: number): Promise<MycelClient> {
  try {
    return await connectToServer({
      server_url: address.serverUrl,
      ...(address.workspace ? { workspace: address.workspace } : {}),
      ...(address.token ? { token: address.token } : {}),
      ...(methodTimeoutS ? { method_timeout: methodTimeoutS } : {}),
      reconnect: false,
      handshakeTimeoutMs: 10_000,
    });
  } catch (error) {
    throw new UnreachableError(`cannot connect to ${address.serverUrl}: ${(error as Error).message}`);
  }
}

/** GETs `path` (relative to the hub's base URL) and returns its JSON. */
export async function getJson(address: HubAddress, path: string): Promise<unknown> {
  const base = normaliseServerUrl(address.serverUrl).replace(/^ws/, 'http').replace(/\/ws$/, '');
  let response: Response;
  try {
    response = await fetch(`${base}${path}`, {
      headers: address.token ? { authorization: `Bearer ${address.token}` } : {},
      signal: AbortSignal.timeout(10_000),
    });
  } catch (error) {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    throw new UnreachableError(`cannot reach ${base}: ${cause?.code ?? cause?.message ?? (error as Error).message}`);
  }
  const text = await response.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new HttpAnswerError(response.status, undefined, `${base}${path} answered ${response.status} with a body that is not JSON`);
  }
  if (!response.ok) {
    const { detail, code } = (body ?? {}) as { detail?: string; code?: string };
    if (response.status === 404 && code === undefined) {
      throw new UnsupportedError(`${base}${path} is not served by this hub (404)`);
    }
    throw new HttpAnswerError(response.status, code, detail ?? `HTTP ${response.status}`);
  }
  return body;
}
