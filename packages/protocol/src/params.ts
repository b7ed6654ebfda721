/**
 * Parameter names of a JavaScript function, used to map keyword arguments (`with_kwargs`) sent by
 * Python callers onto positional parameters. Reads the function's source, so it gives up (returns
 * `undefined`) on anything it cannot read plainly: destructuring, rest parameters, native code.
 * A function may declare its names explicitly with {@link withParamNames}, which always wins.
 */

const PARAMS = Symbol.for('mycel.paramNames');

/** Attaches explicit parameter names to a function (used for keyword arguments and `context`). */
export function withParamNames<F extends (...args: never[]) => unknown>(fn: F, names: readonly string[]): F {
  Object.defineProperty(fn, PARAMS, { value: [...names], enumerable: false });
  return fn;
}

const cache = new WeakMap<object, readonly string[] | null>();
const IDENT = /^[A-Za-z_$][\w$]*$/;

/** The declared parameter names of `fn`, or `undefined` when they cannot be read plainly. */
export function paramNames(fn: (...args: never[]) => unknown): readonly string[] | undefined {
  const explicit = (fn as unknown as Record<symbol, unknown>)[PARAMS];
  if (Array.isArray(explicit)) return explicit as string[];
  let names = cache.get(fn);
  if (names === undefined) {
    names = parse(Function.prototype.toString.call(fn));
    cache.set(fn, names);
  }
  return names ?? undefined;
}

function parse(source: string): readonly string[] | null {
  // Bound and native functions print as `function () { [native code] }`: their names are unknown.
  if (source.includes('[native code]')) return null;
  const text = stripComments(source);
  const open = text.indexOf('(');
  const arrow = text.indexOf('=>');
  // `x => ...`: a single bare parameter before the arrow.
  if (arrow >= 0 && (open < 0 || open > arrow)) {
    const single = text.slice(0, arrow).replace(/^\s*async\s+/, '').trim();
    return IDENT.test(single) ? [single] : null;
  }
  if (open < 0) return null;
  let depth = 0;
  let close = -1;
  for (let i = open; i < text.length; i++) {
    const ch = text[i];
    if (ch === '(' || ch === '[' || ch === '{') depth++;
    else if (ch === ')' || ch === ']' || ch === '}') {
      depth--;
      if (depth === 0) {
        close = i;
        break;
      }
    }
  }
  if (close < 0) return null;
  const inner = text.slice(open + 1, close).trim();
  if (inner === '') return [];
  const names: string[] = [];
  for (const part of splitTopLevel(inner)) {
    const name = (part.split('=')[0] ?? '').trim();
    if (!IDENT.test(name)) return null;
    names.push(name);
  }
  return names;
}

function splitTopLevel(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === '(' || ch === '[' || ch === '{') depth++;
    else if (ch === ')' || ch === ']' || ch === '}') depth--;
    else if (ch === ',' && depth === 0) {
      parts.push(text.slice(start, i));
      start = i + 1;
    }
  }
  const last = text.slice(start);
  if (last.trim() !== '') parts.push(last);
  return parts;
}

/** Removes comments, leaving string and template literals alone. */
function stripComments(source: string): string {
  let out = '';
  let quote: string | undefined;
  for (let i = 0; i < source.length; i++) {
    const ch = source[i] as string;
    if (quote) {
      out += ch;
      if (ch === '\\') {
        out += source[i + 1] ?? '';
        i++;
      } else if (ch === quote) quote = undefined;
      continue;
    }
    if (ch === '"' || ch === "'" || ch === '`') {
      quote = ch;
      out += ch;
    } else if (ch === '/' && source[i + 1] === '/') {
      while (i < source.length && source[i] !== '\n') i++;
      out += '\n';
    } else if (ch === '/' && source[i + 1] === '*') {
      const end = source.indexOf('*/', i + 2);
      i = end < 0 ? source.length : end + 1;
    } else out += ch;
  }
  return out;
}
