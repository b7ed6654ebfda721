/**
 * The caller: one client issuing calls to the `soak` service at a steady (open-loop) rate, each
 * through one of a few proxies chosen with mode `random`. A proxy whose call fails is dropped and
 * chosen again (`reselect`); every proxy is also re-chosen every couple of seconds so load reaches
 * replacement workers. Every call is tracked from start to resolve or reject; the ones still open
 * after the grace period are the hung ones.
 */
import { connectToServer, isMycelError } from '@mycel/client';

const SERVICE = 'soak';
const MODE = 'random';
/** Age after which a proxy is re-chosen in the background. */
const REFRESH_MS = 2_000;
/** `getService` timeout (seconds): how long the hub may wait for the service description. */
const SELECTION_TIMEOUT_S = 3;
/** Pacing tick: calls due since the last tick are issued together. */
const TICK_MS = 5;
const MAX_WORK_MS = 10;
const MAX_ECHO_CHARS = 2_048;
/** Error messages kept per code, as examples for the report. */
const MESSAGES_PER_CODE = 3;

/**
 * Connects the caller.
 * @param {{ url: string, rate: number, slots: number, methodTimeoutMs: number }} options
 */
export async function startCaller({ url, rate, slots, methodTimeoutMs }) {
  const api = await connectToServer({ server_url: url, client_id: 'soak-caller', methodTimeoutMs });
  const tally = {
    started: 0,
    resolved: 0,
    /** Resolved with a value other than the one expected. */
    wrong: 0,
    /** Where the call failed ("selection" or "call") -> code -> count. */
    rejected: { selection: {}, call: {} },
    /** code -> a few messages. */
    messages: {},
    /** code -> slowest rejection (ms). */
    slowestRejectionMs: {},
    selections: 0,
    latenciesMs: [],
    /** Longest gap between pacing ticks: how far the caller's own event loop fell behind. */
    maxTickGapMs: 0,
  };
  /** Calls neither resolved nor rejected yet: id -> { startedAt, method, target }. */
  const open = new Map();
  const pool = Array.from({ length: slots }, () => ({ proxy: undefined, last: undefined, pending: undefined, selectedAt: 0 }));
  let seq = 0;

  function select(slot) {
    slot.pending ??= (slot.last ? api.reselect(slot.last) : api.getService(SERVICE, { mode: MODE, timeout: SELECTION_TIMEOUT_S }))
      .then((proxy) => {
        slot.proxy = proxy;
        slot.last = proxy;
        slot.selectedAt = performance.now();
        tally.selections++;
        return proxy;
      })
      .finally(() => {
        slot.pending = undefined;
      });
    return slot.pending;
  }

  function proxyFor(slot) {
    if (!slot.proxy) return select(slot);
    if (performance.now() - slot.selectedAt > REFRESH_MS && !slot.pending) {
      // Failures here are not calls; the next call on this slot finds out for itself.
      select(slot).catch(() => {});
    }
    return Promise.resolve(slot.proxy);
  }

  function issue() {
    const id = ++seq;
    tally.started++;
    const isEcho = Math.random() < 0.5;
    const expected = isEcho ? `${id}:${'x'.repeat(Math.floor(Math.random() * MAX_ECHO_CHARS))}` : 1 + Math.floor(Math.random() * MAX_WORK_MS);
    const entry = { startedAt: performance.now(), method: isEcho ? 'echo' : 'work', target: undefined };
    open.set(id, entry);
    const slot = pool[id % pool.length];
    let proxy;
    proxyFor(slot)
      .then(
        (chosen) => {
          proxy = chosen;
          entry.target = chosen.id;
          return isEcho ? chosen.echo(expected) : chosen.work(expected);
        },
        (error) => {
          throw Object.assign(new Error('selection failed'), { stage: 'selection', error });
        },
      )
      .then(
        (value) => {
          if (!open.delete(id)) return;
          tally.resolved++;
          if (value !== expected) tally.wrong++;
          tally.latenciesMs.push(performance.now() - entry.startedAt);
        },
        (failure) => {
          if (!open.delete(id)) return;
          const stage = failure?.stage ?? 'call';
          const error = failure?.stage ? failure.error : failure;
          if (proxy && slot.proxy === proxy) slot.proxy = undefined;
          const code = isMycelError(error) ? error.code : `non-Mycel ${error?.name ?? typeof error}`;
          const byCode = tally.rejected[stage];
          byCode[code] = (byCode[code] ?? 0) + 1;
          const messages = (tally.messages[code] ??= []);
          const message = String(error?.message ?? error);
          if (messages.length < MESSAGES_PER_CODE && !messages.includes(message)) messages.push(message);
          const ms = performance.now() - entry.startedAt;
          tally.slowestRejectionMs[code] = Math.max(tally.slowestRejectionMs[code] ?? 0, ms);
        },
      );
  }

  return {
    api,
    tally,
    open,
    /**
     * Issues `rate` calls per second for `durationMs` (or until `signal` aborts); resolves when
     * sending has stopped. Calls are not awaited here.
     * @param {{ durationMs: number, signal: AbortSignal }} options
     */
    send({ durationMs, signal }) {
      const t0 = performance.now();
      const total = Math.round((rate * durationMs) / 1000);
      let lastTick = t0;
      return new Promise((resolve) => {
        if (signal.aborted) {
          resolve();
          return;
        }
        const timer = setInterval(tick, TICK_MS);
        signal.addEventListener('abort', finish, { once: true });
        function tick() {
          const now = performance.now();
          tally.maxTickGapMs = Math.max(tally.maxTickGapMs, now - lastTick);
          lastTick = now;
          const due = Math.min(total, Math.floor(((now - t0) * rate) / 1000));
          while (tally.started < due) issue();
          if (tally.started >= total) finish();
        }
        function finish() {
          clearInterval(timer);
          signal.removeEventListener('abort', finish);
          resolve();
        }
      });
    },
    /** Waits until no call is open, or `graceMs` has passed; returns the calls still open. */
    async drain(graceMs) {
      const deadline = performance.now() + graceMs;
      while (open.size > 0 && performance.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      const now = performance.now();
      return [...open.values()].map((e) => ({ method: e.method, target: e.target ?? '(no proxy yet)', ageMs: Math.round(now - e.startedAt) }));
    },
    /** Instances of the `soak` service the hub lists now. */
    async listedInstances() {
      return (await api.listServices({ service_id: SERVICE })).length;
    },
    close: () => api.disconnect(),
  };
}

/** The longest (ms) a call may legitimately take: a selection, then the call itself. */
export function longestLegitimateCallMs(methodTimeoutMs) {
  // The SDK bounds get_service by max(method timeout, select_timeout 2 s + timeout + 1 s).
  const selectionMs = Math.max(methodTimeoutMs, 2_000 + SELECTION_TIMEOUT_S * 1000 + 1_000);
  return selectionMs + methodTimeoutMs;
}
