import { describe, expect, it } from 'vitest';
import { decodeFrame } from '@mycel/protocol';
import { connectedPair } from '../helpers/memory-transport.js';

async function collect(iterable: AsyncIterable<unknown>): Promise<unknown[]> {
  const out: unknown[] = [];
  for await (const item of iterable) out.push(item);
  return out;
}

describe('generator values', () => {
  it('returns a sync generator from a service as an async generator', async () => {
    const { caller, worker } = connectedPair();
    worker.addService({
      id: 'gen',
      *count(n: number) {
        for (let i = 0; i < n; i++) yield i;
      },
    });
    const remote = (await caller.call('ws/worker', 'services.gen.count', [3])) as AsyncGenerator<unknown>;
    expect(typeof remote[Symbol.asyncIterator]).toBe('function');
    expect(await collect(remote)).toEqual([0, 1, 2]);
  });

  it('carries an async generator and an async iterable, with values of any kind', async () => {
    const { caller, worker } = connectedPair();
    worker.addService({
      id: 'gen',
      async *items() {
        yield { a: 1 };
        yield new Uint8Array([1, 2]);
        yield null;
      },
      iterable: () => ({
        async *[Symbol.asyncIterator]() {
          yield 'x';
        },
      }),
    });
    const items = await collect((await caller.call('ws/worker', 'services.gen.items')) as AsyncIterable<unknown>);
    expect(items).toEqual([{ a: 1 }, expect.any(Uint8Array), null]);
    expect(await collect((await caller.call('ws/worker', 'services.gen.iterable')) as AsyncIterable<unknown>)).toEqual(['x']);
  });

  it('sends the hypha-rpc wire form', async () => {
    const { router, caller, worker } = connectedPair();
    worker.addService({
      id: 'gen',
      *one() {
        yield 1;
      },
    });
    const remote = (await caller.call('ws/worker', 'services.gen.one')) as AsyncGenerator<unknown>;
    const answer = router.log.find((f) => String(f.header.method).endsWith('.resolve'));
    const { extra } = decodeFrame(answer?.bytes ?? new Uint8Array());
    const wire = (extra as { args: Record<string, unknown>[] }).args[0];
    expect(wire).toMatchObject({ _rtype: 'generator', _rtarget: 'ws/worker', _rpromise: '*', _rmethod: expect.any(String), _rclose_method: expect.any(String) });
    await remote.return(undefined);
  });

  it('closes the remote generator when the loop stops early', async () => {
    const { caller, worker } = connectedPair();
    let closed = false;
    worker.addService({
      id: 'gen',
      *forever() {
        try {
          for (let i = 0; ; i++) yield i;
        } finally {
          closed = true;
        }
      },
    });
    const remote = (await caller.call('ws/worker', 'services.gen.forever')) as AsyncGenerator<number>;
    for await (const i of remote) if (i === 2) break;
    expect(closed).toBe(true);
  });

  it('passes an error thrown inside a generator to the loop that reads it', async () => {
    const { caller, worker } = connectedPair();
    worker.addService({
      id: 'gen',
      *broken() {
        yield 1;
        throw new Error('generator broke');
      },
    });
    const remote = (await caller.call('ws/worker', 'services.gen.broken')) as AsyncGenerator<unknown>;
    await expect(collect(remote)).rejects.toThrow('generator broke');
  });

  it('takes a generator as an argument while the call runs', async () => {
    const { caller, worker } = connectedPair();
    worker.addService({
      id: 'sum',
      async total(items: AsyncIterable<number>) {
        let sum = 0;
        for await (const n of items) sum += n;
        return sum;
      },
    });
    function* numbers() {
      yield 1;
      yield 2;
      yield 39;
    }
    expect(await caller.call('ws/worker', 'services.sum.total', [numbers()])).toBe(42);
  });

  it('leaves arrays, maps and sets as data', async () => {
    const { caller, worker } = connectedPair();
    worker.addService({ id: 'echo', echo: (v: unknown) => v });
    expect(await caller.call('ws/worker', 'services.echo.echo', [[1, 2]])).toEqual([1, 2]);
    expect(await caller.call('ws/worker', 'services.echo.echo', [new Set([3])])).toEqual([3]);
    expect(await caller.call('ws/worker', 'services.echo.echo', [new Map([['k', 4]])])).toEqual({ k: 4 });
  });
});
