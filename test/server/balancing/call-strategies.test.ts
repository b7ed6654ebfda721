import { describe, expect, it } from 'vitest';
import { CALL_STRATEGIES, callStrategyFor } from '../../../packages/server/src/balancing/call-strategies.js';
import { instanceWeight } from '../../../packages/server/src/balancing/call-strategy.js';
import { Fleet } from './fleet.js';

describe('per-call strategy table', () => {
  it('finds each strategy by its name and nothing else', () => {
    for (const [name, strategy] of CALL_STRATEGIES) {
      expect(strategy.name).toBe(name);
      expect(callStrategyFor(name)).toBe(strategy);
    }
    expect(callStrategyFor('round_robin')?.name).toBe('round_robin');
    expect(callStrategyFor('__proto__')).toBeUndefined();
    expect(callStrategyFor('min')).toBeUndefined();
  });

  it('reads an instance weight from its checked config, 1 when it sets none', () => {
    const fleet = new Fleet();
    expect([{ weight: 3 }, {}, { weight: null }].map((config) => instanceWeight(fleet.add(1, config)[0]!))).toEqual([3, 1, 1]);
    expect(() => fleet.add(1, { weight: 0 })).toThrow(/weight/);
  });
});
