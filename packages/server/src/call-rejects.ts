/**
 * Answers the hub writes in another peer's name: a synthetic `{session}.reject` for a call that
 * cannot go on (its callee left, a limit refused it, its frame was bad), so that every call ends,
 * and the refusal of a bad frame (a warn log, and that reject when the frame carries a session).
 */
import { encodeFrame, resolvePeerId, type ErrorCode } from '@mycel/protocol';
import type { Logger } from 'pino';
import type { ClientConnection } from './connection.js';

/** The in-process manager as the rejects see it. */
export interface RejectsManager {
  readonly peerId: string;
  handleMessage(message: Record<string, unknown>): void;
}

/** Writes synthetic rejects to callers (clients or the manager). */
export class CallRejects {
  readonly #clients: ReadonlyMap<string, ClientConnection>;
  readonly #manager: RejectsManager;
  readonly #log: Logger;

  constructor(clients: ReadonlyMap<string, ClientConnection>, manager: RejectsManager, logger: Logger) {
    this.#clients = clients;
    this.#manager = manager;
    this.#log = logger;
  }

  /** Delivers a synthetic `{session}.reject` to `caller`, as if `callee` had sent it. */
  rejectCall(caller: string, callee: string, session: string, code: ErrorCode, message: string): void {
    const main = { type: 'method', from: callee, to: caller, method: `${session}.reject` };
    const extra = { args: [{ _rtype: 'error', _rvalue: message, _rcode: code }] };
    if (caller === this.#manager.peerId) {
      this.#manager.handleMessage(Object.assign(main, extra));
      return;
    }
    const client = this.#clients.get(caller);
    if (!client) return;
    client.send(encodeFrame(Object.assign(main, { ws: client.workspace }), extra));
  }

  /** Answers a bad frame: a `code` reject when it carries a session, a warn log always. */
  refuse(sender: ClientConnection, main: unknown, code: ErrorCode, message: string): void {
    this.#log.warn({ client: sender.peerId, code, reason: message }, 'refused frame');
    const header = main as { session?: unknown; to?: unknown } | null;
    const session = header?.session;
    if (typeof session !== 'string' || session.length > 256) return;
    // The caller only accepts an answer from the peer it called, so answer in that peer's name.
    const to = typeof header?.to === 'string' ? header.to : undefined;
    const callee = to === undefined ? this.#manager.peerId : resolvePeerId(to, sender.workspace);
    this.rejectCall(sender.peerId, callee, session, code, message);
  }
}

/** The first issue of a header that failed its schema, as a reject message. */
export function describeIssues(issues: readonly { path: PropertyKey[]; message: string }[]): string {
  const first = issues[0];
  if (!first) return 'invalid frame header';
  const path = first.path.map(String).join('.') || 'header';
  return `invalid frame header: ${path}: ${first.message}`;
}
