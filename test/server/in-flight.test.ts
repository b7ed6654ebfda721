import { describe, expect, it } from 'vitest';
import { InFlightTable } from '../../packages/server/src/in-flight.js';
import { createInstanceState } from '../../packages/server/src/instance-state.js';

const limits = { perCallee: 3, perCaller: 2, staleAfterMs: 1_000 };

describe('InFlightTable', () => {
  it('tells who waits for a callee to be idle once its last call ends, or at the timeout', async () => {
    const table = new InFlightTable(limits);
    const w = { peerId: 'ws/w' };
    const other = { peerId: 'ws/o' };
    expect(await table.whenIdle(w, 10_000)).toBe(true);
    table.admit(w, 'ws/a', 's1');
    table.admit(w, 'ws/b', 's1');
    table.admit(other, 'ws/a', 's1');
    let isIdle: boolean | undefined;
    const waiting = table.whenIdle(w, 10_000).then((value) => (isIdle = value));
    table.answered(w, 'ws/a', 's1', false);
    table.answered(other, 'ws/a', 's1', false);
    await Promise.resolve();
    expect(isIdle).toBeUndefined();
    // The last call ends as its caller leaves.
    table.forgetCaller('ws/b');
    expect(await waiting).toBe(true);
    table.admit(w, 'ws/a', 's2');
    expect(await table.whenIdle(w, 20)).toBe(false);
    const gone = table.whenIdle(w, 10_000);
    table.drainCallee(w);
    expect(await gone).toBe(true);
  });

  it('keeps its own entries per callee and bounds them in all and per caller', () => {
    let now = 0;
    const table = new InFlightTable(limits, () => now);
    const w = { peerId: 'ws/w' };
    expect(table.admit(w, 'ws/a', 's1')).toBeUndefined();
    expect(table.admit(w, 'ws/a', 's2')).toBeUndefined();
    expect(table.admit(w, 'ws/a', 's3')).toBe('caller');
    expect(table.admit(w, 'ws/b', 's1')).toBeUndefined();
    expect(table.admit(w, 'ws/c', 's1')).toBe('callee');
    expect(table.countFor(w)).toBe(3);
    // Past the stale age, old entries make room.
    now = 2_000;
    expect(table.admit(w, 'ws/c', 's1')).toBeUndefined();
    expect(table.countFor(w)).toBe(1);
  });

  it('updates the called instance as its call is routed and answered', () => {
    let now = 100;
    const table = new InFlightTable(limits, () => now);
    const w = { peerId: 'ws/w' };
    const state = createInstanceState();
    table.admit(w, 'ws/a', 's1', state);
    table.admit(w, 'ws/a', 's2', state);
    expect(state).toMatchObject({ inFlight: 2, routed: 2 });
    now = 130;
    expect(table.answered(w, 'ws/a', 's1', false)?.session).toBe('s1');
    expect(state).toMatchObject({ inFlight: 1, errors: 0, latencyMs: 30 });
    expect(table.answered(w, 'ws/a', 's1', false)).toBeUndefined();
    table.answered(w, 'ws/a', 's2', true);
    expect(state).toMatchObject({ inFlight: 0, errors: 1 });
  });

  it('says in whose name an answer goes back when the call was to a virtual target', () => {
    const table = new InFlightTable(limits);
    const w = { peerId: 'ws/w' };
    table.admit(w, 'ws/a', 's1', undefined, 'ws/*:svc');
    table.admit(w, 'ws/a', 's2');
    expect(table.answered(w, 'ws/a', 's1', false)?.replyAs).toBe('ws/*:svc');
    expect(table.answered(w, 'ws/a', 's2', false)?.replyAs).toBeUndefined();
  });

  it('drains a callee that left and forgets a caller that left, releasing their instances', () => {
    const table = new InFlightTable(limits);
    const w = { peerId: 'ws/w' };
    const v = { peerId: 'ws/v' };
    const state = createInstanceState();
    table.admit(w, 'ws/a', 's1', state);
    table.admit(w, 'ws/b', 's1', state);
    table.admit(v, 'ws/a', 's2', state);
    expect(table.drainCallee(w).map((e) => e.caller).sort()).toEqual(['ws/a', 'ws/b']);
    expect(table.countFor(w)).toBe(0);
    expect(state.inFlight).toBe(1);
    table.forgetCaller('ws/a');
    expect(table.countFor(v)).toBe(0);
    expect(state.inFlight).toBe(0);
    // A callee with the same peer id (a reconnection) is a different key.
    const w2 = { peerId: 'ws/w' };
    table.admit(w2, 'ws/a', 's3');
    expect(table.drainCallee(w)).toEqual([]);
    expect(table.countFor(w2)).toBe(1);
  });
});
