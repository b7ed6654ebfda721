/**
 * The hand-written validators on the hot path must never accept what the zod schemas refuse.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { frameHeadSchema, isFrameHead, isMethodMessage, methodMessageSchema } from '@mycel/protocol';

const text = fc.oneof(fc.string({ maxLength: 4 }), fc.string({ minLength: 250, maxLength: 260 }), fc.string({ minLength: 1020, maxLength: 1030 }));
const anyValue = fc.oneof(
  fc.constant(undefined),
  fc.constant(null),
  text,
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant('*'),
  fc.array(fc.integer(), { maxLength: 2 }),
  fc.dictionary(fc.string({ maxLength: 3 }), fc.integer(), { maxKeys: 2 }),
);
const message = fc.record(
  {
    type: fc.oneof(fc.constant('method'), anyValue),
    from: anyValue,
    to: anyValue,
    method: anyValue,
    session: anyValue,
    parent: anyValue,
    ws: anyValue,
    args: anyValue,
    with_kwargs: anyValue,
    promise: anyValue,
    t: anyValue,
  },
  { requiredKeys: [] },
);

describe('hot-path validators', () => {
  it('accept a header only when frameHeadSchema does', () => {
    fc.assert(
      fc.property(message, (m) => {
        if (isFrameHead(m)) expect(frameHeadSchema.safeParse(m).success).toBe(true);
      }),
      { numRuns: 5000 },
    );
  });

  it('accept a method message only when methodMessageSchema does', () => {
    fc.assert(
      fc.property(message, (m) => {
        if (isMethodMessage(m as Record<string, unknown>)) expect(methodMessageSchema.safeParse(m).success).toBe(true);
      }),
      { numRuns: 5000 },
    );
  });

  it('accept ordinary messages', () => {
    const call = { type: 'method', from: 'ws/a', to: 'ws/b', method: 'services.s.f', session: 's1', args: [1], promise: '*', t: 15 };
    expect(isFrameHead(call)).toBe(true);
    expect(isMethodMessage(call)).toBe(true);
    expect(isFrameHead({ type: 'service_added', to: '*', data: {} })).toBe(true);
  });
});
