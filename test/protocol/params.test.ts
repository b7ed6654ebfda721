/* eslint-disable @typescript-eslint/no-unused-vars */
import { describe, expect, it } from 'vitest';
import { paramNames, withParamNames } from '@mycel/protocol';

type Fn = (...args: never[]) => unknown;
const names = (fn: unknown) => paramNames(fn as Fn);

describe('paramNames', () => {
  it('reads a function declaration', () => {
    function add(a: number, b: number) {
      return a + b;
    }
    expect(names(add)).toEqual(['a', 'b']);
  });

  it('reads a function expression and an anonymous function', () => {
    expect(names(function named(x: number, y: number) {})).toEqual(['x', 'y']);
    expect(names(function (x: number) {})).toEqual(['x']);
  });

  it('reads an arrow function', () => {
    expect(names((first: number, second: string) => first)).toEqual(['first', 'second']);
  });

  it('reads async functions and async arrows', () => {
    expect(names(async function load(key: string, ttl: number) {})).toEqual(['key', 'ttl']);
    expect(names(async (key: string, ttl: number) => key)).toEqual(['key', 'ttl']);
  });

  it('reads a single bare arrow parameter, async or not', () => {
    expect(names(new Function('return x => x * 2')())).toEqual(['x']);
    expect(names(new Function('return async value => value')())).toEqual(['value']);
  });

  it('reads a bare-parameter arrow whose body has parentheses', () => {
    expect(names(new Function('return item => Math.max(item, 0)')())).toEqual(['item']);
  });

  it('reads parameters with defaults, including defaults with commas and calls', () => {
    expect(names((a: number, b = 2) => a + b)).toEqual(['a', 'b']);
    expect(names((a: number[] = [1, 2], b = { c: 1, d: 2 }, c = Math.max(1, 2)) => a)).toEqual(['a', 'b', 'c']);
    expect(names((a: number, cb = () => 1) => a)).toEqual(['a', 'cb']);
  });

  it('reads object methods, async methods and class methods', () => {
    const service = {
      add(a: number, b: number) {
        return a + b;
      },
      async fetch(url: string, retries: number) {
        return url;
      },
    };
    class Calc {
      mul(x: number, y: number) {
        return x * y;
      }
    }
    expect(names(service.add)).toEqual(['a', 'b']);
    expect(names(service.fetch)).toEqual(['url', 'retries']);
    expect(names(new Calc().mul)).toEqual(['x', 'y']);
  });

  it('gives an empty list for a function without parameters', () => {
    expect(names(() => 1)).toEqual([]);
    expect(names(function () {})).toEqual([]);
  });

  it('ignores comments in the parameter list', () => {
    expect(names(new Function('return function (a /* first */, b // second\n) {}')())).toEqual(['a', 'b']);
  });

  it('reads $ and _ in names', () => {
    expect(names(($el: unknown, _unused: unknown) => 1)).toEqual(['$el', '_unused']);
  });

  it('gives up on destructuring', () => {
    expect(names(({ a, b }: { a: number; b: number }) => a + b)).toBeUndefined();
    expect(names(([a, b]: number[]) => a)).toBeUndefined();
    expect(names((x: number, { y }: { y: number }) => x)).toBeUndefined();
  });

  it('gives up on rest parameters', () => {
    expect(names((...args: unknown[]) => args)).toBeUndefined();
    expect(names((a: number, ...rest: unknown[]) => a)).toBeUndefined();
  });

  it('returns the same answer on repeated calls', () => {
    const fn = (a: number, b: number) => a + b;
    expect(names(fn)).toEqual(['a', 'b']);
    expect(names(fn)).toEqual(['a', 'b']);
  });
});

describe('withParamNames', () => {
  it('wins over the names in the source', () => {
    const fn = withParamNames((a: number, b: number) => a + b, ['left', 'right']);
    expect(names(fn)).toEqual(['left', 'right']);
  });

  it('gives names to functions whose source cannot be read', () => {
    const fn = withParamNames((...args: unknown[]) => args.length, ['x', 'y', 'context']);
    expect(names(fn)).toEqual(['x', 'y', 'context']);
  });

  it('returns the function itself, still callable, and copies the list', () => {
    const list = ['a'];
    const original = (a: number) => a + 1;
    const fn = withParamNames(original, list);
    list.push('b');
    expect(fn).toBe(original);
    expect(fn(1)).toBe(2);
    expect(names(fn)).toEqual(['a']);
  });
});
