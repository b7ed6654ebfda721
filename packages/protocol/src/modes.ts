/**
 * Service selection modes: parsing the mode string of `getService` into a {@link Mode}.
 * Pure and strict: an unknown or malformed mode is an error, never a silent default.
 */
import { MycelError } from './errors.js';

/** How `select:` modes compare probe results. */
export type SelectCriterion = 'min' | 'max' | 'first_success';

/**
 * A mode as callers write it: the known forms (so editors complete them), and any other string,
 * which {@link parseMode} checks at run time.
 */
export type ModeString =
  | 'exact'
  | 'random'
  | 'first'
  | 'last'
  | `select:${SelectCriterion}:${string}`
  // `string & {}` keeps the literals above from collapsing into plain `string` for completion.
  // eslint-disable-next-line @typescript-eslint/ban-types
  | (string & {});

/** A parsed selection mode. */
export type Mode =
  | { kind: 'exact' }
  | { kind: 'random' }
  | { kind: 'first' }
  | { kind: 'last' }
  | { kind: 'select'; criterion: SelectCriterion; fn: string };

/** The forms a mode may take, as listed in error messages. */
export const VALID_MODE_FORMS = [
  'exact',
  'random',
  'first',
  'last',
  'select:min:FN',
  'select:max:FN',
  'select:first_success:FN',
] as const;

const CRITERIA: readonly SelectCriterion[] = ['min', 'max', 'first_success'];
const FN_NAME = /^[A-Za-z_$][\w$]*(\.[A-Za-z_$][\w$]*)*$/;

/** The mode used when a query names none: `random` in `public`, `exact` elsewhere (as Hypha). */
export function defaultMode(workspace: string): Mode {
  return workspace === 'public' ? { kind: 'random' } : { kind: 'exact' };
}

/**
 * Parses a mode string. `null`/`undefined`/`""` give {@link defaultMode} for `workspace`.
 * `native:random` is accepted as `random` (one hub: every client is local).
 * Throws `BAD_MODE` naming the valid forms.
 */
export function parseMode(mode: unknown, workspace: string): Mode {
  if (mode === undefined || mode === null || mode === '') return defaultMode(workspace);
  if (typeof mode !== 'string') throw badMode(String(mode));
  switch (mode) {
    case 'exact':
    case 'random':
    case 'first':
    case 'last':
      return { kind: mode };
    case 'native:random':
      return { kind: 'random' };
    default:
      break;
  }
  const parts = mode.split(':');
  if (parts[0] !== 'select') throw badMode(mode);
  const [, criterion, fn] = parts;
  if (parts.length !== 3 || !CRITERIA.includes(criterion as SelectCriterion) || !fn || !FN_NAME.test(fn)) {
    throw badMode(mode);
  }
  return { kind: 'select', criterion: criterion as SelectCriterion, fn };
}

/** Formats a mode back into its string form. */
export function formatMode(mode: Mode): string {
  return mode.kind === 'select' ? `select:${mode.criterion}:${mode.fn}` : mode.kind;
}

function badMode(mode: string): MycelError {
  const forms = VALID_MODE_FORMS.map((f) => `"${f}"`).join(', ');
  return new MycelError('BAD_MODE', `invalid mode "${mode}": expected one of ${forms}`);
}
