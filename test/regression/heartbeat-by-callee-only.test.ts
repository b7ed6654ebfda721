/**
 * Issue 9, item 7: a `message_cache` call to a caller's `built-in` with `heartbeat: true` reset
 * the timer of the call whose session id it named, whoever sent it, and session ids were a
 * random prefix plus a counter, so one seen id gave away the next. Only the peer a call went to
 * may now extend it, and session ids carry 48 random bits each.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { encodeFrame, isMycelError } from '@mycel/protocol';
import { MemoryRouter } from '../helpers/memory-transport.js';

afterEach(() => {
  vi.useRealTimers();
});

/** A caller whose call to `ws/callee` (a peer that never answers) is pending, and its session id. */
async function pendingCall() {
  const router = new MemoryRouter();
  const caller = router.addPeer({ workspace: 'ws', clientId: 'caller' });
  const outcome = caller.call('ws/callee', 'services.slow.run', [], { timeoutMs: 1_000 }).then(
    () => 'resolved',
    (error: unknown) => (isMycelError(error) ? error.code : String(error)),
  );
  const sent = router.log.find((f) => f.to === 'ws/callee');
  const session = String(sent?.header.session);
  /** `from` sends a chunk-cache call naming the session, with `heartbeat: true`. */
  const chunkHeartbeat = async (from: string) => {
    router.inject(from, encodeFrame({ type: 'method', to: 'ws/caller', method: 'services.built-in.message_cache.create' }, { args: [session, true] }));
    await vi.advanceTimersByTimeAsync(0);
  };
  return { outcome, chunkHeartbeat, caller };
}

describe('a chunk-cache heartbeat', () => {
  it('from another peer does not keep the call alive', async () => {
    vi.useFakeTimers();
    const { outcome, chunkHeartbeat } = await pendingCall();
    await vi.advanceTimersByTimeAsync(900);
    await chunkHeartbeat('ws/intruder');
    await vi.advanceTimersByTimeAsync(101);
    expect(await outcome).toBe('TIMEOUT');
  });

  it('from the callee still does', async () => {
    vi.useFakeTimers();
    const { outcome, chunkHeartbeat, caller } = await pendingCall();
    await vi.advanceTimersByTimeAsync(900);
    await chunkHeartbeat('ws/callee');
    await vi.advanceTimersByTimeAsync(101);
    expect(caller.pendingCount).toBe(1);
    await vi.advanceTimersByTimeAsync(900);
    expect(await outcome).toBe('TIMEOUT');
  });
});

describe('session ids', () => {
  it('cannot be told from one seen before: 48 random bits after the per-peer prefix', () => {
    const router = new MemoryRouter();
    const caller = router.addPeer({ workspace: 'ws', clientId: 'caller' });
    for (let i = 0; i < 2_000; i++) void caller.call('ws/nobody', 'services.x.f', [], { timeoutMs: 60_000 }).catch(() => {});
    const ids = router.log.map((f) => String(f.header.session));
    expect(new Set(ids).size).toBe(2_000);
    const prefix = ids[0]?.slice(0, 8) ?? '';
    expect(ids.every((id) => id.startsWith(prefix) && !id.includes('.'))).toBe(true);
    // Each of the 8 characters after the prefix is drawn from 64: over 2,000 ids each takes
    // nearly all of them (fewer than 50 has a chance below 1e-30). A counter there would not.
    for (let at = 8; at < 16; at++) {
      expect({ at, distinct: new Set(ids.map((id) => id[at])).size >= 50 }).toEqual({ at, distinct: true });
    }
    caller.close();
  });
});
