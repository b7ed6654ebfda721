/**
 * The sessions of one peer: each outgoing call waiting for its answer (with its timer), and the
 * callbacks exported into it, which only the called peer may call back. A call ends exactly once:
 * answered, rejected, timed out, or rejected when its peer is forgotten or the table is cleared.
 */
import type { Clock, TimerHandle } from './clock.js';
import { MycelError } from './errors.js';
import { SessionIds } from './session-ids.js';

/** A function a session exports. */
export type Callback = (...args: unknown[]) => unknown;

/** One call waiting for its answer. */
interface PendingCall {
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
  timer: TimerHandle;
  timeoutMs: number;
  method: string;
  /** Whether the callee's heartbeats restart the timer. */
  heartbeats: boolean;
}

/** A call's session, or the callbacks one reply exported. */
export interface Session {
  readonly id: string;
  /** The only peer allowed to call back into this session. */
  readonly target: string;
  /** Made on the first export: most calls export no function. */
  callbacks: Map<string, Callback> | undefined;
  pending: PendingCall | undefined;
}

/** Most reply-scoped sessions kept (functions returned as results); the oldest go first. */
const MAX_REPLY_SESSIONS = 1024;

/** The pending-call table. */
export class CallTable {
  readonly #clock: Clock;
  readonly #maxPending: number;
  readonly #sessions = new Map<string, Session>();
  readonly #replySessions: string[] = [];
  /** Unguessable and unique for this peer's lifetime (`session-ids.ts`). */
  readonly #ids = new SessionIds();
  #pendingCount = 0;

  constructor(clock: Clock, maxPending: number) {
    this.#clock = clock;
    this.#maxPending = maxPending;
  }

  /** How many calls wait for an answer. */
  get pendingCount(): number {
    return this.#pendingCount;
  }

  /** `LIMIT_EXCEEDED` when no further call may start, else undefined. */
  refusal(): MycelError | undefined {
    if (this.#pendingCount < this.#maxPending) return undefined;
    return new MycelError('LIMIT_EXCEEDED', `too many pending calls (limit ${this.#maxPending})`);
  }

  /** A new session whose callbacks only `target` may call. */
  open(target: string): Session {
    const session: Session = { id: this.#ids.next(), target, callbacks: undefined, pending: undefined };
    this.#sessions.set(session.id, session);
    return session;
  }

  /** A new session for the functions of one reply; only the newest {@link MAX_REPLY_SESSIONS} live. */
  openForReply(target: string): Session {
    const session = this.open(target);
    this.#replySessions.push(session.id);
    while (this.#replySessions.length > MAX_REPLY_SESSIONS) this.#sessions.delete(this.#replySessions.shift() ?? '');
    return session;
  }

  /** A session by id. */
  get(id: string): Session | undefined {
    return this.#sessions.get(id);
  }

  /** Drops a session that never started its call. */
  discard(id: string): void {
    this.#sessions.delete(id);
  }

  /** Starts waiting for the answer of the call in `session`; it times out after `timeoutMs`. */
  wait(
    session: Session,
    call: { method: string; timeoutMs: number; heartbeats: boolean },
    resolve: (value: unknown) => void,
    reject: (error: unknown) => void,
  ): void {
    // A literal, not `{ ...call, ... }`: V8 builds a spread with extra keys on a slow path.
    const timer = this.#clock.setTimeout(() => this.#timeOut(session.id), call.timeoutMs);
    session.pending = { method: call.method, timeoutMs: call.timeoutMs, heartbeats: call.heartbeats, resolve, reject, timer };
    this.#pendingCount++;
  }

  /**
   * A heartbeat from the callee, or a chunk of its answer: the timer starts over (if allowed).
   * Only the peer the call went to (`from`) may extend it; anyone else is ignored.
   */
  touch(sessionId: string, isHeartbeat: boolean, from: string): void {
    const session = this.#sessions.get(sessionId);
    const pending = session?.pending;
    if (!pending || session.target !== from || (isHeartbeat && !pending.heartbeats)) return;
    this.#clock.clearTimeout(pending.timer);
    pending.timer = this.#clock.setTimeout(() => this.#timeOut(sessionId), pending.timeoutMs);
  }

  /** Ends the call of a session with a value or an error; later ends are ignored. */
  settle(sessionId: string, value: unknown, error?: unknown): void {
    const session = this.#sessions.get(sessionId);
    const pending = session?.pending;
    if (!pending) return;
    this.#clock.clearTimeout(pending.timer);
    this.#sessions.delete(sessionId);
    this.#pendingCount--;
    if (error !== undefined) pending.reject(error);
    else pending.resolve(value);
  }

  /** Rejects the calls waiting on `target` with `error` and drops its sessions; returns the count. */
  forget(target: string, error: MycelError): number {
    let count = 0;
    for (const session of [...this.#sessions.values()]) {
      if (session.target !== target) continue;
      if (session.pending) {
        count++;
        this.settle(session.id, undefined, error);
      } else {
        this.#sessions.delete(session.id);
      }
    }
    return count;
  }

  /** Rejects every waiting call with `error` and drops every session. */
  clear(error: MycelError): void {
    for (const session of [...this.#sessions.values()]) {
      if (session.pending) this.settle(session.id, undefined, error);
    }
    this.#sessions.clear();
    this.#replySessions.length = 0;
  }

  #timeOut(sessionId: string): void {
    const session = this.#sessions.get(sessionId);
    if (!session?.pending) return;
    const { method, timeoutMs } = session.pending;
    const error = new MycelError('TIMEOUT', `call "${method}" to "${session.target}" timed out after ${timeoutMs}ms`);
    this.settle(sessionId, undefined, error);
  }
}
