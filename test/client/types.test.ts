/**
 * Type tests of the SDK surface. They run as ordinary tests and, more to the point, are checked
 * by `tsc -p test/tsconfig.json` in `pnpm test`: a wrong type fails the build.
 */
import { describe, expectTypeOf, it } from 'vitest';
import type { MycelClient, RemoteFunction, ServiceInfo, ServiceProxy } from '@mycel/client';

interface Calculator {
  add(a: number, b: number): number;
  slow(x: string): Promise<string>;
  nested: { mul(a: number, b: number): number };
  version: string;
}

describe('ServiceProxy', () => {
  it('makes every function return a promise of its awaited result', () => {
    type P = ServiceProxy<Calculator>;
    expectTypeOf<P['add']>().toEqualTypeOf<(a: number, b: number) => Promise<number>>();
    expectTypeOf<P['slow']>().toEqualTypeOf<(x: string) => Promise<string>>();
    expectTypeOf<P['nested']['mul']>().toEqualTypeOf<(a: number, b: number) => Promise<number>>();
    expectTypeOf<P['version']>().toEqualTypeOf<string>();
    expectTypeOf<P['id']>().toEqualTypeOf<string>();
  });

  it('maps a single function type', () => {
    expectTypeOf<RemoteFunction<(s: string) => boolean>>().toEqualTypeOf<(s: string) => Promise<boolean>>();
  });
});

describe('MycelClient', () => {
  it('types getService from its type argument', () => {
    expectTypeOf<MycelClient['getService']>().toBeFunction();
    type Got = Awaited<ReturnType<typeof getCalc>>;
    expectTypeOf<Got['add']>().returns.toEqualTypeOf<Promise<number>>();
  });

  it('checks the shape given to registerService at compile time', () => {
    const check = (api: MycelClient) => {
      void api.registerService({ id: 'ok', add: (a: number, b: number) => a + b, data: { n: 1 } });
      // @ts-expect-error an id is required
      void api.registerService({ add: (a: number) => a });
      // @ts-expect-error the id must be a string
      void api.registerService({ id: 42 });
      // @ts-expect-error config must be a service config object
      void api.registerService({ id: 'x', config: 'public' });
      // @ts-expect-error members must be functions or msgpack data, not symbols
      void api.registerService({ id: 'x', s: Symbol('no') });
    };
    expectTypeOf(check).toBeFunction();
    expectTypeOf<Awaited<ReturnType<MycelClient['registerService']>>>().toEqualTypeOf<ServiceInfo>();
  });
});

function getCalc(api: MycelClient) {
  return api.getService<Calculator>('calc');
}
