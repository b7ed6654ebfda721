/**
 * Every pairing of Python (the official hypha-rpc client) and SDK peers, caller and worker:
 * calls, keyword arguments, callbacks both ways, errors, numpy arrays and generators. One hub,
 * one long-lived Python process holding a worker and a caller connection.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PAIRINGS, startPairingWorld, type PairingWorld } from '../../helpers/interop-callers.js';
import { describeWithPython } from '../../helpers/python.js';

describeWithPython('Python and SDK peers, every pairing', () => {
  let world: PairingWorld;
  beforeAll(async () => {
    world = await startPairingWorld();
  }, 30_000);
  afterAll(() => world?.close());

  describe.each(PAIRINGS)('%s caller, %s worker', (callerKind, _workerKind, service) => {
    const call = (method: string, args: unknown[] = [], more: { kwargs?: Record<string, unknown>; thenCall?: unknown[] } = {}) =>
      world.callers[callerKind].call({ service, method, args, ...more });

    it('calls with positional arguments and plain data both ways', async () => {
      expect(await call('add', [2, 3])).toBe(5);
      const data = { text: 'ü', list: [1, 2.5, null, true], nested: { deep: ['x'] } };
      expect(await call('echo', [data])).toEqual(data);
    });

    it('passes keyword arguments by name', async () => {
      expect(await call('greet', ['Ada'], { kwargs: { greeting: 'Hi' } })).toBe('Hi, Ada!');
      expect(await call('greet', ['Ada'])).toBe('Hello, Ada!');
    });

    it('lets the worker call back a function of the caller', async () => {
      expect(await call('apply', [{ $callback: 3 }, 14])).toBe(42);
    });

    it('lets the caller call a function the worker returned', async () => {
      expect(await call('make_multiplier', [6], { thenCall: [7] })).toBe(42);
    });

    it('rejects with the message of the error raised in the worker', async () => {
      await expect(call('fail', ['boom: bad input'])).rejects.toThrow('boom: bad input');
      expect(await call('add', [1, 1])).toBe(2);
    });

    it('carries n-dimensional arrays both ways (numpy arrays in Python)', async () => {
      expect(await call('matrix', [2, 3])).toEqual({ $ndarray: 'float32', shape: [2, 3], data: [[0, 1, 2], [3, 4, 5]] });
      expect(await call('describe_array', [{ $matrix: [2, 3] }])).toEqual({ dtype: 'float64', shape: [2, 3], sum: 15 });
    });

    it('carries generators both ways', async () => {
      expect(await call('count', [4])).toEqual({ $generator: [0, 1, 2, 3] });
      expect(await call('total', [{ $generator: 5 }])).toBe(10);
    });
  });
});
