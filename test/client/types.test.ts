/**
 * Type tests of the SDK surface. They run as ordinary tests and, more to the point, are checked
 * by `tsc -p test/tsconfig.json` in `pnpm test`: a wrong type fails the build.
 */
import { describe, expectTypeOf, it } from 'vitest';
import type {
  GetServiceOptions,
  ModeString,
  MycelClient,
  RemoteFunction,
  ServiceInfo,
  ServiceProxy,
  UntypedServiceProxy,
} from '@mycel/client';

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

  it('gives an untyped getService callable members, as hypha-rpc does', () => {
    // Code written for hypha-rpc's untyped proxies compiles unchanged.
    const useUntyped = async (api: MycelClient) => {
      const svc = await api.getService('anything');
      expectTypeOf(svc).toBeAny();
      const sum: number = await svc.add(1, 2);
      await svc.nested.mul(2, 3);
      const annotated: { add(a: number, b: number): Promise<number> } = await api.get_service('calc');
      return [sum, annotated];
    };
    expectTypeOf(useUntyped).toBeFunction();
    expectTypeOf<UntypedServiceProxy>().toBeAny();
  });

  it('checks calls on a typed proxy', () => {
    const useTyped = async (api: MycelClient) => {
      const calc = await api.getService<Calculator>('calc');
      // @ts-expect-error add takes numbers
      await calc.add('1', 2);
      // @ts-expect-error no such member
      await calc.sub(1, 2);
    };
    expectTypeOf(useTyped).toBeFunction();
  });

  it('keeps the type of a proxy through reselect', () => {
    const again = (api: MycelClient, calc: ServiceProxy<Calculator>) => api.reselect(calc);
    expectTypeOf<Awaited<ReturnType<typeof again>>>().toEqualTypeOf<ServiceProxy<Calculator>>();
  });

  it('offers the mode forms and still takes any string', () => {
    expectTypeOf<'select:min:get_load'>().toExtend<ModeString>();
    expectTypeOf<'select:first_success:ready'>().toExtend<ModeString>();
    expectTypeOf<'exact'>().toExtend<ModeString>();
    // A mode built at run time is checked by the hub, not refused by the compiler.
    expectTypeOf<string>().toExtend<NonNullable<GetServiceOptions['mode']>>();
    expectTypeOf<42>().not.toExtend<ModeString>();
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
