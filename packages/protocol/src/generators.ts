/**
 * Generators across the wire, as hypha-rpc encodes them: `{_rtype: "generator", _rtarget,
 * _rmethod, _rclose_method}`. Each call of `_rmethod` returns the next item, or
 * `{_rtype: "stop_iteration"}` when there is none; `_rclose_method` ends it early. A received
 * generator becomes an async generator; a local iterator or async iterable is exported as two
 * functions of the session it travels in.
 */
import type { MethodDescriptor } from './values.js';

type Exporter = (fn: (...args: unknown[]) => unknown, name: string) => MethodDescriptor;
type Importer = (descriptor: MethodDescriptor) => (...args: unknown[]) => unknown;

/** The item that ends a generator. */
const STOP_ITERATION = Object.freeze({ _rtype: 'stop_iteration' });

/**
 * Whether a value travels as a generator: an async iterable (async generators, streams), or an
 * iterator (generator objects). Arrays, maps and sets are iterable but not iterators: they travel
 * as data.
 */
export function isIteratorLike(value: object): value is AsyncIterable<unknown> | Iterator<unknown> {
  return (
    Symbol.asyncIterator in value ||
    (Symbol.iterator in value && typeof (value as { next?: unknown }).next === 'function')
  );
}

/** Exports a local iterator: its `next` and `close` become functions of the current session. */
export function exportIterator(value: AsyncIterable<unknown> | Iterator<unknown>, exportFunction: Exporter): Record<string, unknown> {
  let iterator: AsyncIterator<unknown> | Iterator<unknown> | undefined;
  const open = () =>
    (iterator ??= Symbol.asyncIterator in value ? (value as AsyncIterable<unknown>)[Symbol.asyncIterator]() : (value as Iterator<unknown>));
  const next = async () => {
    const step = await open().next();
    return step.done ? STOP_ITERATION : step.value;
  };
  const close = async () => {
    await open().return?.();
    return true;
  };
  const nextDescriptor = exportFunction(next, 'next');
  const closeDescriptor = exportFunction(close, 'close');
  const wire: Record<string, unknown> = {
    _rtype: 'generator',
    _rtarget: nextDescriptor._rtarget,
    _rmethod: nextDescriptor._rmethod,
    _rclose_method: closeDescriptor._rmethod,
    _rpromise: '*',
    _rdoc: 'Remote generator',
  };
  if (nextDescriptor._rserver !== undefined) wire._rserver = nextDescriptor._rserver;
  return wire;
}

/** Whether a record is a well-formed generator reference. */
export function isGeneratorRecord(record: Record<string, unknown>): boolean {
  return typeof record._rtarget === 'string' && typeof record._rmethod === 'string';
}

/**
 * A remote generator as an async generator. Leaving a `for await` loop early (break, throw)
 * closes the remote one.
 */
export function importIterator(record: Record<string, unknown>, importMethod: Importer): AsyncGenerator<unknown, void, undefined> {
  const method = (rmethod: string): MethodDescriptor => ({ _rtype: 'method', _rtarget: record._rtarget as string, _rmethod: rmethod, _rpromise: '*' });
  const next = importMethod(method(record._rmethod as string));
  const close = typeof record._rclose_method === 'string' ? importMethod(method(record._rclose_method)) : undefined;
  return (async function* remoteGenerator() {
    let finished = false;
    try {
      for (;;) {
        const item = await next();
        if (isStopIteration(item)) {
          finished = true;
          return;
        }
        yield item;
      }
    } finally {
      if (!finished && close) await Promise.resolve(close()).catch(() => undefined);
    }
  })();
}

function isStopIteration(item: unknown): boolean {
  return typeof item === 'object' && item !== null && (item as { _rtype?: unknown })._rtype === 'stop_iteration';
}
