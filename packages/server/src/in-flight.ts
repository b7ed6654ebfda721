/**
 * The calls in flight through the hub: for each callee, which caller waits on which session. It
 * lets the hub reject every waiting caller at once when a callee goes away, and bounds what one
 * callee can be made to owe: in all, and to any one caller (so one client, from any workspace,
 * cannot make a worker unreachable for everyone by sending calls it never wants answered).
 */
import type { ClientConnection } from './connection.js';

/** One call waiting on a callee. */
export interface InFlightEntry {
  caller: string;
  session: string;
  /** When it was admitted (ms). */
  at: number;
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

/** Why a call was not admitted. */
export type Refusal = 'callee' | 'caller';

/** The in-flight table of a hub. Entries live on each callee's connection (`inFlight`). */
export class InFlightTable {
  readonly #limits: InFlightLimits;
  readonly #now: () => number;
  /** For each caller, the callees it has calls waiting on (to forget them when it leaves). */
  readonly #calleesOf = new Map<string, Set<ClientConnection>>();

  constructor(limits: InFlightLimits, now: () => number = Date.now) {
    this.#limits = limits;
    this.#now = now;
  }

  /** The limits in force. */
  get limits(): Readonly<InFlightLimits> {
    return this.#limits;
  }

  /** Records a call from `caller` to `callee`, or says which limit refuses it. */
  admit(callee: ClientConnection, caller: string, session: string): Refusal | undefined {
    const now = this.#now();
    let refusal = this.#check(callee, caller);
    if (refusal) {
      this.#dropStale(callee, now);
      refusal = this.#check(callee, caller);
      if (refusal) return refusal;
    }
    const key = entryKey(caller, session);
    if (!callee.inFlight.has(key)) callee.inFlightByCaller.set(caller, (callee.inFlightByCaller.get(caller) ?? 0) + 1);
    callee.inFlight.set(key, { caller, session, at: now });
    let callees = this.#calleesOf.get(caller);
    if (!callees) {
      callees = new Set();
      this.#calleesOf.set(caller, callees);
    }
    callees.add(callee);
    return undefined;
  }

  /** The call `caller`/`session` was answered by `callee`. */
  answered(callee: ClientConnection, caller: string, session: string): void {
    this.#remove(callee, entryKey(caller, session));
  }

  /** Removes and returns every call waiting on `callee` (it is gone). */
  drainCallee(callee: ClientConnection): InFlightEntry[] {
    const entries = [...callee.inFlight.values()];
    for (const entry of entries) this.#remove(callee, entryKey(entry.caller, entry.session));
    return entries;
  }

  /** Drops every call `caller` has waiting (it is gone; their answers have nowhere to go). */
  forgetCaller(caller: string): void {
    const callees = this.#calleesOf.get(caller);
    if (!callees) return;
    this.#calleesOf.delete(caller);
    const prefix = entryKey(caller, '');
    for (const callee of callees) {
      for (const key of callee.inFlight.keys()) if (key.startsWith(prefix)) callee.inFlight.delete(key);
      callee.inFlightByCaller.delete(caller);
    }
  }

  #check(callee: ClientConnection, caller: string): Refusal | undefined {
    if (callee.inFlight.size >= this.#limits.perCallee) return 'callee';
    if ((callee.inFlightByCaller.get(caller) ?? 0) >= this.#limits.perCaller) return 'caller';
    return undefined;
  }

  #dropStale(callee: ClientConnection, now: number): void {
    // Entries are in admission order: the stale ones are at the front.
    for (const [key, entry] of callee.inFlight) {
      if (now - entry.at < this.#limits.staleAfterMs) break;
      this.#remove(callee, key);
    }
  }

  #remove(callee: ClientConnection, key: string): void {
    const entry = callee.inFlight.get(key);
    if (!entry) return;
    callee.inFlight.delete(key);
    const left = (callee.inFlightByCaller.get(entry.caller) ?? 1) - 1;
    if (left > 0) callee.inFlightByCaller.set(entry.caller, left);
    else {
      callee.inFlightByCaller.delete(entry.caller);
      this.#calleesOf.get(entry.caller)?.delete(callee);
      if (this.#calleesOf.get(entry.caller)?.size === 0) this.#calleesOf.delete(entry.caller);
    }
  }
}

function entryKey(caller: string, session: string): string {
  return `${caller}\n${session}`;
}
