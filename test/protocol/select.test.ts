import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  MycelError,
  parseMode,
  probeNumber,
  selectInstance,
  systemClock,
  type Clock,
  type Probe,
  type SelectOptions,
} from '@mycel/protocol';
import { seededRandom as seeded } from '../helpers/seeded-random.js';

/** A clock that never fires on its own: a round resolves only when its probes answer. */
const stillClock: Clock = { now: () => 0, setTimeout: () => 0, clearTimeout: () => {} };

const candidates = ['w1', 'w2', 'w3', 'w4'] as const;
const options = (extra: Partial<SelectOptions<string>> = {}): SelectOptions<string> => ({
  timeoutMs: 2000,
  clock: stillClock,
  query: 'math',
  ...extra,
});
const noProbe: Probe<string> = () => {
  throw new Error('probe must not be called');
};
const mode = (text: string) => parseMode(text, 'ws');

/** Probes answering from a table; a missing entry never answers. */
function table(values: Record<string, unknown>): Probe<string> {
  return (c) => (c in values ? Promise.resolve(values[c]) : new Promise(() => {}));
}

async function countPicks(draws: number, run: () => Promise<string>): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  for (let i = 0; i < draws; i++) {
    const picked = await run();
    counts.set(picked, (counts.get(picked) ?? 0) + 1);
  }
  return counts;
}

describe('selectInstance', () => {
  it('throws SERVICE_NOT_FOUND when there is no candidate', async () => {
    await expect(selectInstance([], mode('random'), noProbe, options())).rejects.toMatchObject({
      code: 'SERVICE_NOT_FOUND',
      message: 'service "math" not found',
    });
  });

  it('returns the only candidate for exact', async () => {
    expect(await selectInstance(['w1'], mode('exact'), noProbe, options())).toEqual({ candidate: 'w1', reason: 'exact' });
  });

  it('rejects exact with several candidates, listing them and the modes to use', async () => {
    const error = await selectInstance(['w1', 'w2'], mode('exact'), noProbe, options()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MycelError);
    expect((error as MycelError).code).toBe('BAD_MODE');
    expect((error as MycelError).message).toMatchInlineSnapshot(
      `"multiple services found for "math" (2): "w1", "w2"; choose one with mode "random", "first", "last", "select:min:FN", "select:max:FN" or "select:first_success:FN", or one per call with a "balance:" mode"`,
    );
  });

  it('lists at most five candidates in the exact error, named by describe', async () => {
    const many = ['a', 'b', 'c', 'd', 'e', 'f', 'g'];
    const error = (await selectInstance(many, mode('exact'), noProbe, {
      ...options(),
      describe: (c) => `ws/${c}:math`,
    }).catch((e: unknown) => e)) as MycelError;
    expect(error.message).toContain('(7): "ws/a:math", "ws/b:math", "ws/c:math", "ws/d:math", "ws/e:math", and 2 more;');
    expect(error.message).not.toContain('ws/f:math');
  });

  it('picks the oldest for first and the newest for last', async () => {
    expect(await selectInstance(candidates, mode('first'), noProbe, options())).toEqual({ candidate: 'w1', reason: 'first' });
    expect(await selectInstance(candidates, mode('last'), noProbe, options())).toEqual({ candidate: 'w4', reason: 'last' });
  });

  it('picks uniformly at random for random', async () => {
    const random = seeded(1);
    const counts = await countPicks(400, async () => {
      const s = await selectInstance(candidates, mode('random'), noProbe, options({ random }));
      expect(s.reason).toBe('random');
      return s.candidate;
    });
    expect([...counts.keys()].sort()).toEqual([...candidates]);
    for (const n of counts.values()) expect(n / 400).toBeGreaterThan(0.15);
    for (const n of counts.values()) expect(n / 400).toBeLessThan(0.35);
  });

  it('uses Math.random when no random source is given', async () => {
    const spy = vi.spyOn(Math, 'random').mockReturnValue(0.99);
    try {
      expect((await selectInstance(candidates, mode('random'), noProbe, options())).candidate).toBe('w4');
    } finally {
      spy.mockRestore();
    }
  });

  it('returns the only candidate of a select mode without probing', async () => {
    const probe = vi.fn(noProbe);
    expect(await selectInstance(['w1'], mode('select:min:get_load'), probe, options())).toEqual({
      candidate: 'w1',
      reason: 'only',
    });
    expect(probe).not.toHaveBeenCalled();
  });

  it('picks the lowest value for select:min', async () => {
    const probe = table({ w1: 5, w2: 1, w3: 3, w4: 9 });
    expect(await selectInstance(candidates, mode('select:min:get_load'), probe, options())).toEqual({
      candidate: 'w2',
      reason: 'best',
      value: 1,
      answered: 4,
      probed: 4,
    });
  });

  it('probes no one for min and max when every candidate has a known value', async () => {
    const known = { w1: 5, w2: 1, w3: 3, w4: 9 } as Record<string, number>;
    const opts = options({ known: (c) => known[c] });
    expect(await selectInstance(candidates, mode('select:min:f'), noProbe, opts)).toEqual({
      candidate: 'w2',
      reason: 'best',
      value: 1,
      answered: 4,
      probed: 0,
    });
    expect(await selectInstance(candidates, mode('select:max:f'), noProbe, opts)).toMatchObject({ candidate: 'w4', value: 9, probed: 0 });
  });

  it('probes only the candidates without a known value, and compares the answers with the known ones', async () => {
    const probed: string[] = [];
    const probe: Probe<string> = (c) => {
      probed.push(c);
      return Promise.resolve({ w2: 0.5, w4: 'busy' }[c]);
    };
    const known = { w1: 2, w3: 1 } as Record<string, number>;
    const s = await selectInstance(candidates, mode('select:min:f'), probe, options({ known: (c) => known[c] }));
    expect(probed.sort()).toEqual(['w2', 'w4']);
    expect(s).toEqual({ candidate: 'w2', reason: 'best', value: 0.5, answered: 3, probed: 2 });
  });

  it('breaks ties between known values at random', async () => {
    const known = { w1: 1, w2: 1, w3: 1, w4: 2 } as Record<string, number>;
    const random = seeded(7);
    const counts = await countPicks(3000, async () => {
      const s = await selectInstance(candidates, mode('select:min:f'), noProbe, options({ known: (c) => known[c], random }));
      return s.candidate;
    });
    // Fair share 1000 of 3000 each; a binomial sd is about 26, so 850..1150 is over 5 sd wide.
    expect(counts.get('w4')).toBeUndefined();
    for (const c of ['w1', 'w2', 'w3']) {
      expect(counts.get(c)).toBeGreaterThan(850);
      expect(counts.get(c)).toBeLessThan(1150);
    }
  });

  it('ignores known values for first_success, which asks who answers', async () => {
    const probe = table({ w1: 7 });
    const s = await selectInstance(['w1', 'w2'], mode('select:first_success:f'), probe, options({ known: () => 1 }));
    expect(s).toMatchObject({ candidate: 'w1', reason: 'first_success', probed: 2 });
  });

  it('hands on every answer, numbers and non-numbers, with the time its probe was sent', async () => {
    let now = 100;
    const clock: Clock = { now: () => now, setTimeout: () => 0, clearTimeout: () => {} };
    const seen: Array<[string, number | undefined, number]> = [];
    const probe: Probe<string> = (c) => {
      now = 500;
      return Promise.resolve({ w1: 3, w2: 'n/a' }[c]);
    };
    await selectInstance(['w1', 'w2'], mode('select:min:f'), probe, options({ clock, onValue: (c, v, at) => seen.push([c, v, at]) }));
    expect(seen.sort()).toEqual([
      ['w1', 3, 100],
      ['w2', undefined, 100],
    ]);
  });

  it('picks the highest value for select:max', async () => {
    const probe = table({ w1: 5, w2: 1, w3: 30, w4: 9 });
    const s = await selectInstance(candidates, mode('select:max:score'), probe, options());
    expect(s).toMatchObject({ candidate: 'w3', reason: 'best', value: 30 });
  });

  it('passes the candidate and the round timeout to the probe', async () => {
    const probe = vi.fn(table({ w1: 1, w2: 2 }));
    await selectInstance(['w1', 'w2'], mode('select:min:f'), probe, options({ timeoutMs: 750 }));
    expect(probe.mock.calls).toEqual([
      ['w1', 750],
      ['w2', 750],
    ]);
  });

  it('breaks ties at random', async () => {
    const random = seeded(7);
    const probe = table({ w1: 2, w2: 1, w3: 1, w4: 1 });
    const counts = await countPicks(300, async () => {
      const s = await selectInstance(candidates, mode('select:min:f'), probe, options({ random }));
      expect(s.value).toBe(1);
      return s.candidate;
    });
    expect(counts.get('w1')).toBeUndefined();
    for (const c of ['w2', 'w3', 'w4']) expect(counts.get(c)).toBeGreaterThan(50);
  });

  it('skips probes that throw, reject, answer a non-number or never answer', async () => {
    const probe: Probe<string> = (c) => {
      if (c === 'w1') throw new Error('no such method');
      if (c === 'w2') return Promise.reject(new Error('boom'));
      if (c === 'w3') return Promise.resolve({ load: 0 });
      return Promise.resolve(8);
    };
    const s = await selectInstance(candidates, mode('select:min:f'), probe, options());
    expect(s).toEqual({ candidate: 'w4', reason: 'best', value: 8, answered: 1, probed: 4 });
  });

  it('skips NaN, infinities, booleans, null and blank strings', async () => {
    const probe = table({ w1: Number.NaN, w2: Infinity, w3: '  ', w4: 3 });
    expect(await selectInstance(candidates, mode('select:max:f'), probe, options())).toMatchObject({
      candidate: 'w4',
      answered: 1,
    });
    const more = table({ w1: true, w2: null, w3: undefined, w4: '-Infinity' });
    expect(await selectInstance(candidates, mode('select:max:f'), more, options())).toMatchObject({
      reason: 'fallback',
      answered: 0,
    });
  });

  it('counts numeric strings as their number', async () => {
    const probe = table({ w1: '10', w2: ' 2.5 ', w3: 7, w4: '3' });
    expect(await selectInstance(candidates, mode('select:min:f'), probe, options())).toMatchObject({
      candidate: 'w2',
      value: 2.5,
    });
  });

  it('falls back to a uniform random choice when nobody answers a number', async () => {
    const random = seeded(3);
    const probe: Probe<string> = () => Promise.reject(new Error('missing'));
    const counts = await countPicks(400, async () => {
      const s = await selectInstance(candidates, mode('select:min:f'), probe, options({ random }));
      expect(s).toMatchObject({ reason: 'fallback', answered: 0 });
      return s.candidate;
    });
    for (const c of candidates) expect((counts.get(c) ?? 0) / 400).toBeGreaterThan(0.15);
    for (const c of candidates) expect((counts.get(c) ?? 0) / 400).toBeLessThan(0.35);
  });

  it('starts every probe before any of them resolves', async () => {
    const started: string[] = [];
    const release: (() => void)[] = [];
    const probe: Probe<string> = (c) => {
      started.push(c);
      return new Promise((resolve) => release.push(() => resolve(c === 'w3' ? 0 : 5)));
    };
    const selection = selectInstance(candidates, mode('select:min:f'), probe, options());
    expect(started).toEqual([...candidates]);
    for (const r of release) r();
    expect((await selection).candidate).toBe('w3');
  });

  it('returns the first numeric answer for first_success without waiting for slower probes', async () => {
    let releaseSlow!: (v: number) => void;
    const probe: Probe<string> = (c) => {
      if (c === 'w1') return new Promise((resolve) => (releaseSlow = resolve));
      if (c === 'w2') return Promise.resolve('not a number');
      if (c === 'w3') return Promise.resolve(42);
      return new Promise(() => {});
    };
    const s = await selectInstance(candidates, mode('select:first_success:ready'), probe, options());
    expect(s).toEqual({ candidate: 'w3', reason: 'first_success', value: 42, answered: 1, probed: 4 });
    releaseSlow(1);
  });

  it('falls back at random for first_success when every probe fails', async () => {
    const probe: Probe<string> = () => Promise.resolve('nope');
    const s = await selectInstance(candidates, mode('select:first_success:f'), probe, options({ random: () => 0.5 }));
    expect(s).toEqual({ candidate: 'w3', reason: 'fallback', answered: 0, probed: 4 });
  });
});

describe('selectInstance timing', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('resolves when the clock passes timeoutMs, even if a probe never answers', async () => {
    const probe = table({ w1: 4, w2: 2 });
    let settled = false;
    const selection = selectInstance(candidates, mode('select:min:f'), probe, options({ clock: systemClock }));
    void selection.then(() => (settled = true));
    await vi.advanceTimersByTimeAsync(1999);
    expect(settled).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(settled).toBe(true);
    expect(await selection).toEqual({ candidate: 'w2', reason: 'best', value: 2, answered: 2, probed: 4 });
  });

  it('ignores answers that arrive after the deadline', async () => {
    const probe: Probe<string> = (c) =>
      new Promise((resolve) => {
        const delay = c === 'w1' ? 3000 : 100;
        setTimeout(() => resolve(c === 'w1' ? 0 : 10), delay);
      });
    const selection = selectInstance(['w1', 'w2'], mode('select:min:f'), probe, options({ clock: systemClock }));
    await vi.advanceTimersByTimeAsync(2000);
    expect(await selection).toMatchObject({ candidate: 'w2', value: 10, answered: 1 });
  });

  it('falls back at the deadline when no probe answers, however many candidates', async () => {
    const many = Array.from({ length: 50 }, (_, i) => `w${i}`);
    const probe: Probe<string> = () => new Promise(() => {});
    const selection = selectInstance(many, mode('select:max:f'), probe, options({ clock: systemClock }));
    await vi.advanceTimersByTimeAsync(2000);
    expect(await selection).toMatchObject({ reason: 'fallback', answered: 0 });
  });

  it('clears its timer when every probe answers early', async () => {
    const selection = selectInstance(['w1', 'w2'], mode('select:min:f'), table({ w1: 1, w2: 2 }), {
      ...options(),
      clock: systemClock,
    });
    expect((await selection).candidate).toBe('w1');
    expect(vi.getTimerCount()).toBe(0);
  });
});

describe('probeNumber', () => {
  it('reads finite numbers and numeric strings', () => {
    expect(probeNumber(3)).toBe(3);
    expect(probeNumber(-0.5)).toBe(-0.5);
    expect(probeNumber('12')).toBe(12);
    expect(probeNumber(' 1e3 ')).toBe(1000);
  });

  it('gives undefined for anything else', () => {
    for (const value of [Number.NaN, Infinity, '', ' ', 'abc', '1 2', null, undefined, true, [], {}, 1n]) {
      expect(probeNumber(value)).toBeUndefined();
    }
  });
});
