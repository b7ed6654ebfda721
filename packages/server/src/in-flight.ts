/**
 * The calls in flight through the hub: for each callee, which caller waits on which session. It
 * lets the hub reject every waiting caller at once when a callee goes away, bounds what one
 * callee can be made to owe (in all, and to any one caller, so one client from any workspace
 * cannot make a worker unreachable for everyone by sending calls it never wants answered), and
 * matches each answer to its call, which keeps the called instance's live state (in flight,
 * latency, errors). The table owns all of it; callees are only keys.
 *
 * The slots are shared fairly: while other callers hold slots of the same callee, a caller may
 * take one more only while more slots are free than it already holds. Greedy callers together
 * then leave room, so a caller that comes later still gets in; a caller alone is bounded by its
 * own limit only.
 */
import { callClockMs } from './metrics/call-window.js';
import { noteCallAnswered, noteCallClosed, noteCallForgotten, noteCallRouted, type InstanceState } from './instance-state.js';

/** A callee as the table sees it: any object with a peer id (the hub's `ClientConnection`). */
export interface Callee {
  readonly peerId: string;
}

/** One call waiting on a callee. */
export interface InFlightEntry {
  caller: string;
  session: string;
  /** When it was admitted (ms). */
  at: number;
  /** The live state of the service instance called, when the call named a registered one. */
  instance: InstanceState | undefined;
  /**
   * The address the caller called, when it was not the callee's own (a virtual target resolved
   * per call): answers go back in its name, as the caller only accepts an answer from the peer it
   * called. Undefined for a call to the callee itself.
   */
  replyAs: string | undefined;
}

/** Limits of {@link InFlightTable}. */
export interface InFlightLimits {
  /** Most calls waiting on one callee. */
  perCallee: number;
  /** Most calls one caller may have waiting on one callee. */
  perCaller: number;
  /**
   * Age past which an entry may be dropped to make room. Dropping one loses only the instant
   * rejection of that call if its callee dies; the callee's answer still gets through.
   */
  staleAfterMs: number;
}

/** Why a call was not admitted: the callee is full, the caller is at its limit, or at its fair share. */
export type Refusal = 'callee' | 'caller' | 'share';

/** The calls waiting on one callee. */
interface CalleeCalls {
  /** By `caller\nsession`, in admission order. */
  readonly entries: Map<string, InFlightEntry>;
  /** How many of the entries each caller has. */
  readonly byCaller: Map<string, number>;
  /** How many of the entries were called through a virtual target (have `replyAs`). */
  virtual: number;
}

/** The in-flight table of a hub. */
export class InFlightTable<C extends Callee = Callee> {
  readonly #limits: InFlightLimits;
  readonly #now: () => number;
  readonly #byCallee = new Map<C, CalleeCalls>();
  /** For each caller, the callees it has calls waiting on (to forget them when it leaves). */
  readonly #calleesOf = new Map<string, Set<C>>();
  /** Entries with `replyAs`, in all: while there are none, nothing needs speaking for. */
  #virtual = 0;
  /** Who waits for a callee to have no call in flight (a draining worker), per callee. */
  readonly #idleWaiters = new Map<C, Set<() => void>>();

  /** @param now the clock of admissions and latencies, ms since the epoch (sub-millisecond by default) */
  constructor(limits: InFlightLimits, now: () => number = callClockMs) {
    this.#limits = limits;
    this.#now = now;
  }

  /** The limits in force. */
  get limits(): Readonly<InFlightLimits> {
    return this.#limits;
  }

  /** How many calls wait on `callee`. */
  countFor(callee: C): number {
    return this.#byCallee.get(callee)?.entries.size ?? 0;
  }

  /** How many of the calls waiting on `callee` come from `caller`. */
  heldBy(callee: C, caller: string): number {
    return this.#byCallee.get(callee)?.byCaller.get(caller) ?? 0;
  }

  /**
   * Records a call from `caller` to `callee`, or says which limit refuses it.
   *
   * @param instance the live state of the service instance called, if known
   * @param replyAs the virtual address the caller called, if not the callee's own
   */
  admit(callee: C, caller: string, session: string, instance?: InstanceState, replyAs?: string): Refusal | undefined {
    const now = this.#now();
    let calls = this.#byCallee.get(callee);
    if (!calls) {
      calls = { entries: new Map(), byCaller: new Map(), virtual: 0 };
      this.#byCallee.set(callee, calls);
    }
    let refusal = this.#check(calls, caller);
    if (refusal) {
      this.#dropStale(callee, calls, now);
      refusal = this.#check(calls, caller);
      if (refusal) return refusal;
    }
    const key = entryKey(caller, session);
    const previous = calls.entries.get(key);
    if (previous) {
      this.#untrack(previous);
      if (previous.replyAs !== undefined) this.#countVirtual(calls, -1);
    } else calls.byCaller.set(caller, (calls.byCaller.get(caller) ?? 0) + 1);
    calls.entries.set(key, { caller, session, at: now, instance, replyAs });
    if (replyAs !== undefined) this.#countVirtual(calls, 1);
    if (instance) noteCallRouted(instance);
    let callees = this.#calleesOf.get(caller);
    if (!callees) {
      callees = new Set();
      this.#calleesOf.set(caller, callees);
    }
    callees.add(callee);
    return undefined;
  }

  /**
   * The call `caller`/`session` was answered by `callee` (with an error when `isError`). Returns
   * its entry, or undefined when it was not in flight.
   */
  answered(callee: C, caller: string, session: string, isError: boolean): InFlightEntry | undefined {
    const calls = this.#byCallee.get(callee);
    if (!calls) return undefined;
    const entry = this.#remove(callee, calls, entryKey(caller, session));
    if (entry?.instance) {
      const now = this.#now();
      noteCallAnswered(entry.instance, now - entry.at, isError, now);
    }
    if (this.#idleWaiters.size > 0) this.#wakeIfIdle(callee);
    return entry;
  }

  /**
   * The virtual address `caller` called `callee` through, when `method` (`<session>.<...>`: an
   * answer, a heartbeat or a callback) belongs to a call it made that way; the frame must then
   * come from that address, as the caller only accepts its session's frames from the peer it
   * called. Costs nothing while no call through a virtual target is in flight.
   */
  replyAsFor(callee: C, caller: string, method: unknown): string | undefined {
    if (this.#virtual === 0 || typeof method !== 'string') return undefined;
    const calls = this.#byCallee.get(callee);
    if (!calls || calls.virtual === 0) return undefined;
    const dot = method.indexOf('.');
    if (dot <= 0) return undefined;
    return calls.entries.get(entryKey(caller, method.slice(0, dot)))?.replyAs;
  }

  /** Whether some call waiting on `callee` came through a virtual target. */
  hasVirtualCalls(callee: C): boolean {
    return this.#virtual > 0 && (this.#byCallee.get(callee)?.virtual ?? 0) > 0;
  }

  /** The virtual address `caller` called `callee` through in `session`, if it did. */
  replyAsForSession(callee: C, caller: string, session: string): string | undefined {
    if (this.#virtual === 0) return undefined;
    return this.#byCallee.get(callee)?.entries.get(entryKey(caller, session))?.replyAs;
  }

  /** Removes and returns every call waiting on `callee` (it is gone). */
  drainCallee(callee: C): InFlightEntry[] {
    const calls = this.#byCallee.get(callee);
    if (!calls) return [];
    const entries = [...calls.entries.values()];
    const now = this.#now();
    for (const entry of entries) {
      this.#remove(callee, calls, entryKey(entry.caller, entry.session));
      // Its instance left with the call unanswered: a failure of that instance.
      if (entry.instance) noteCallClosed(entry.instance, now - entry.at, now);
    }
    this.#byCallee.delete(callee);
    this.#wakeIfIdle(callee);
    return entries;
  }

  /** Drops every call `caller` has waiting (it is gone; their answers have nowhere to go). */
  forgetCaller(caller: string): void {
    const callees = this.#calleesOf.get(caller);
    if (!callees) return;
    this.#calleesOf.delete(caller);
    const prefix = entryKey(caller, '');
    for (const callee of callees) {
      const calls = this.#byCallee.get(callee);
      if (!calls) continue;
      for (const [key, entry] of calls.entries) {
        if (!key.startsWith(prefix)) continue;
        calls.entries.delete(key);
        if (entry.replyAs !== undefined) this.#countVirtual(calls, -1);
        this.#untrack(entry);
      }
      calls.byCaller.delete(caller);
      this.#wakeIfIdle(callee);
    }
  }

  /**
   * Resolves once `callee` has no call in flight (at once if it has none now), or with false
   * after `timeoutMs`.
   */
  whenIdle(callee: C, timeoutMs: number): Promise<boolean> {
    if (this.countFor(callee) === 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      let waiters = this.#idleWaiters.get(callee);
      if (!waiters) {
        waiters = new Set();
        this.#idleWaiters.set(callee, waiters);
      }
      const set = waiters;
      const wake = (): void => {
        clearTimeout(timer);
        resolve(true);
      };
      const timer = setTimeout(() => {
        set.delete(wake);
        if (set.size === 0 && this.#idleWaiters.get(callee) === set) this.#idleWaiters.delete(callee);
        resolve(false);
      }, timeoutMs);
      timer.unref?.();
      set.add(wake);
    });
  }

  #wakeIfIdle(callee: C): void {
    const waiters = this.#idleWaiters.get(callee);
    if (!waiters || this.countFor(callee) > 0) return;
    this.#idleWaiters.delete(callee);
    for (const wake of waiters) wake();
  }

  #check(calls: CalleeCalls, caller: string): Refusal | undefined {
    const total = calls.entries.size;
    if (total >= this.#limits.perCallee) return 'callee';
    const held = calls.byCaller.get(caller) ?? 0;
    if (held >= this.#limits.perCaller) return 'caller';
    const others = calls.byCaller.size - (held > 0 ? 1 : 0);
    if (others > 0 && held >= this.#limits.perCallee - total) return 'share';
    return undefined;
  }

  #dropStale(callee: C, calls: CalleeCalls, now: number): void {
    // Entries are in admission order: the stale ones are at the front.
    for (const [key, entry] of calls.entries) {
      if (now - entry.at < this.#limits.staleAfterMs) break;
      this.#remove(callee, calls, key);
      this.#untrack(entry);
    }
    if (this.#idleWaiters.size > 0) this.#wakeIfIdle(callee);
  }

  /** The instance of an entry that ends unanswered stops counting it. */
  #untrack(entry: InFlightEntry): void {
    if (entry.instance) noteCallForgotten(entry.instance);
  }

  #countVirtual(calls: CalleeCalls, delta: number): void {
    calls.virtual += delta;
    this.#virtual += delta;
  }

  #remove(callee: C, calls: CalleeCalls, key: string): InFlightEntry | undefined {
    const entry = calls.entries.get(key);
    if (!entry) return undefined;
    calls.entries.delete(key);
    if (entry.replyAs !== undefined) this.#countVirtual(calls, -1);
    const left = (calls.byCaller.get(entry.caller) ?? 1) - 1;
    if (left > 0) calls.byCaller.set(entry.caller, left);
    else {
      calls.byCaller.delete(entry.caller);
      const callees = this.#calleesOf.get(entry.caller);
      callees?.delete(callee);
      if (callees?.size === 0) this.#calleesOf.delete(entry.caller);
    }
    return entry;
  }
}

function entryKey(caller: string, session: string): string {
  return `${caller}\n${session}`;
}
