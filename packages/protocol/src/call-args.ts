/**
 * Where the arguments of an incoming call go: keyword arguments (`with_kwargs`, sent by Python
 * callers) are mapped onto parameter names, and a `require_context` function gets the call
 * context in its last declared parameter, always: a caller that sends extra arguments cannot
 * push its own object into the context's place.
 */
import { paramNames } from './params.js';

/** How one call's arguments arrived. */
export interface ArgumentShape {
  /** The last argument is a keyword-argument map. */
  withKwargs: boolean;
  /** The function takes the call context as its last parameter. */
  requireContext: boolean;
}

/** Lays out decoded `args` for `fn`; `context` is used when the function requires it. */
export function placeArguments(
  fn: (...args: never[]) => unknown,
  decoded: readonly unknown[],
  shape: ArgumentShape,
  context: unknown,
): unknown[] {
  const names = paramNames(fn);
  let args = [...decoded];
  if (shape.withKwargs && args.length > 0) {
    const kwargs = args.pop();
    if (kwargs !== null && typeof kwargs === 'object' && !Array.isArray(kwargs) && names) {
      const record = kwargs as Record<string, unknown>;
      // With `require_context` the last parameter takes the context, whatever its name.
      const positional = shape.requireContext ? names.slice(0, -1) : names.filter((n) => n !== 'context');
      const mapped = positional.map((name, i) => (name in record ? record[name] : args[i]));
      args = mapped.length >= args.length ? mapped : [...mapped, ...args.slice(mapped.length)];
    } else {
      args.push(kwargs);
    }
  }
  if (!shape.requireContext) return args;
  const declared = names ? names.length : fn.length;
  if (declared > 0) {
    // Extra arguments are dropped and missing ones padded, so the context lands where declared.
    args.length = Math.min(args.length, declared - 1);
    while (args.length < declared - 1) args.push(undefined);
  }
  args.push(context);
  return args;
}
