/**
 * Service selection modes: parsing the mode string of `getService` into a {@link Mode}.
 * Pure and strict: an unknown or malformed mode is an error, never a silent default. The grammar
 * is {@link MODE_GRAMMAR}, listed once: error messages, the docs and the parser all read it.
 */
import { MycelError } from './errors.js';

/** How `select:` modes compare probe results. */
export type SelectCriterion = 'min' | 'max' | 'first_success';

/** The per-call strategies of `balance:` modes that need no load report. */
export type BalanceStrategy = 'round_robin' | 'random' | 'weighted' | 'least_inflight' | 'p2c' | 'least_latency' | 'hash';

/** A parsed selection mode. */
export type Mode =
  | { kind: 'exact' }
  | { kind: 'random' }
  | { kind: 'first' }
  | { kind: 'last' }
  | { kind: 'select'; criterion: SelectCriterion; fn: string }
  /** Chooses an instance for every call, in the hub. */
  | { kind: 'balance'; strategy: BalanceStrategy }
  /** Chooses per call by the lowest / highest load report of `fn` (they come with load reports). */
  | { kind: 'balance'; strategy: 'min' | 'max'; fn: string };

/**
 * Every form a mode may take, and the mode it stands for. In a form, `FN` stands for a function
 * name (dotted names allowed) and is passed to the builder; every other part is literal.
 */
export const MODE_GRAMMAR = {
  exact: () => ({ kind: 'exact' }),
  random: () => ({ kind: 'random' }),
  first: () => ({ kind: 'first' }),
  last: () => ({ kind: 'last' }),
  'select:min:FN': (fn) => ({ kind: 'select', criterion: 'min', fn }),
  'select:max:FN': (fn) => ({ kind: 'select', criterion: 'max', fn }),
  'select:first_success:FN': (fn) => ({ kind: 'select', criterion: 'first_success', fn }),
  'balance:round_robin': () => ({ kind: 'balance', strategy: 'round_robin' }),
  'balance:random': () => ({ kind: 'balance', strategy: 'random' }),
  'balance:weighted': () => ({ kind: 'balance', strategy: 'weighted' }),
  'balance:least_inflight': () => ({ kind: 'balance', strategy: 'least_inflight' }),
  'balance:p2c': () => ({ kind: 'balance', strategy: 'p2c' }),
  'balance:least_latency': () => ({ kind: 'balance', strategy: 'least_latency' }),
  'balance:hash': () => ({ kind: 'balance', strategy: 'hash' }),
  'balance:min:FN': (fn) => ({ kind: 'balance', strategy: 'min', fn }),
  'balance:max:FN': (fn) => ({ kind: 'balance', strategy: 'max', fn }),
} as const satisfies Record<string, (fn: string) => Mode>;

/** A form of {@link MODE_GRAMMAR} as a string type: `FN` becomes any string. */
type FormString<F extends string> = F extends `${infer Head}FN` ? `${Head}${string}` : F;

/**
 * A mode as callers write it: the known forms (so editors complete them), and any other string,
 * which {@link parseMode} checks at run time.
 */
export type ModeString =
  | FormString<keyof typeof MODE_GRAMMAR>
  // `string & {}` keeps the literals above from collapsing into plain `string` for completion.
  // eslint-disable-next-line @typescript-eslint/ban-types
  | (string & {});

/** Other spellings accepted for a form: `native:random` is `random` (one hub: every client is local). */
const ALIASES: Readonly<Record<string, keyof typeof MODE_GRAMMAR>> = { 'native:random': 'random' };

/** The forms a mode may take, as listed in error messages. */
export const VALID_MODE_FORMS = Object.keys(MODE_GRAMMAR) as readonly (keyof typeof MODE_GRAMMAR)[];

const FN_NAME = /^[A-Za-z_$][\w$]*(\.[A-Za-z_$][\w$]*)*$/;

/** The mode used when a query names none: `random` in `public`, `exact` elsewhere (as Hypha). */
export function defaultMode(workspace: string): Mode {
  return workspace === 'public' ? { kind: 'random' } : { kind: 'exact' };
}

/**
 * Parses a mode string. `null`/`undefined`/`""` give {@link defaultMode} for `workspace`.
 * Throws `BAD_MODE` naming the valid forms.
 */
export function parseMode(mode: unknown, workspace: string): Mode {
  if (mode === undefined || mode === null || mode === '') return defaultMode(workspace);
  if (typeof mode !== 'string') throw badMode(String(mode));
  const text = Object.hasOwn(ALIASES, mode) ? (ALIASES[mode] as string) : mode;
  const parts = text.split(':');
  for (const form of VALID_MODE_FORMS) {
    const fn = matchForm(form.split(':'), parts);
    if (fn !== undefined) return MODE_GRAMMAR[form](fn);
  }
  throw badMode(mode);
}

/** Formats a mode back into its string form. */
export function formatMode(mode: Mode): string {
  if (mode.kind === 'select') return `select:${mode.criterion}:${mode.fn}`;
  if (mode.kind === 'balance') return 'fn' in mode ? `balance:${mode.strategy}:${mode.fn}` : `balance:${mode.strategy}`;
  return mode.kind;
}

/** Whether `mode` chooses an instance for every call (a `balance:` mode) rather than once. */
export function isPerCallMode(mode: Mode): mode is Extract<Mode, { kind: 'balance' }> {
  return mode.kind === 'balance';
}

/** The `FN` of `parts` when they match `form` (`""` for a form without one), else undefined. */
function matchForm(form: readonly string[], parts: readonly string[]): string | undefined {
  if (form.length !== parts.length) return undefined;
  let fn = '';
  for (let i = 0; i < form.length; i++) {
    const part = parts[i] as string;
    if (form[i] === 'FN') {
      if (!FN_NAME.test(part)) return undefined;
      fn = part;
    } else if (form[i] !== part) return undefined;
  }
  return fn;
}

function badMode(mode: string): MycelError {
  const forms = VALID_MODE_FORMS.map((f) => `"${f}"`).join(', ');
  return new MycelError('BAD_MODE', `invalid mode "${mode}": expected one of ${forms}`);
}

/**
 * The forms that choose among several instances, as a sentence: `"a", "b" or "c"`, then the
 * per-call ones in a word (they are many, and listed in full where a mode is malformed).
 */
export function choosingModeForms(): string {
  const forms = VALID_MODE_FORMS.filter((f) => f !== 'exact' && !f.startsWith('balance:')).map((f) => `"${f}"`);
  const once = forms.length < 2 ? forms.join('') : `${forms.slice(0, -1).join(', ')} or ${forms[forms.length - 1]}`;
  return `${once}, or one per call with a "balance:" mode`;
}
