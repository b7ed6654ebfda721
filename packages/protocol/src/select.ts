/**
 * The selection core: given candidates (oldest registration first), a parsed {@link Mode} and a
 * probe, pick one instance. Pure: time comes from an injected clock, chance from an injected
 * random source. The hub runs it with probes over its worker connections; the SDK can run it
 * with probes routed through the hub. Both give the same answers.
 */
import type { Clock } from './clock.js';
import { MycelError } from './errors.js';
import { choosingModeForms, formatMode, type Mode } from './modes.js';

/** Calls the probe function on one candidate and resolves with what it returned. */
export type Probe<C> = (candidate: C, timeoutMs: number) => Promise<unknown>;

/** Options of {@link selectInstance}. */
export interface SelectOptions<C> {
  /** Bound of the whole probe round, probe calls included. */
  timeoutMs: number;
  clock: Clock;
  /** Uniform random number in [0, 1). @default Math.random */
  random?: () => number;
  /** How a candidate is named in error messages. */
  describe?: (candidate: C) => string;
  /** What was asked for, for error messages. */
  query?: string;
  /**
   * Called with each answer a probe gave (on time or late), as a number or `undefined` for a
   * non-number, with the clock time the probe was sent: e.g. to keep it as a load report.
   */
  onValue?: (candidate: C, value: number | undefined, sentAt: number) => void;
  /**
   * A fresh value already known for a candidate (a load report), or undefined. `min` and `max`
   * use it in place of a probe: a round where every candidate has one probes no one.
   */
  known?: (candidate: C) => number | undefined;
}

/** Why a candidate was chosen. */
export type SelectionReason = 'only' | 'exact' | 'random' | 'first' | 'last' | 'best' | 'first_success' | 'fallback' | 'balance';

/** The outcome of a selection. */
export interface Selection<C> {
  candidate: C;
  reason: SelectionReason;
  /** The probe value that won, for `best` and `first_success`. */
  value?: number;
  /** How many candidates had a number: a known value or a probe answered in time. */
  answered?: number;
  /** How many candidates were probed. */
  probed?: number;
}

/** How many candidates an `exact` error lists. */
const LISTED = 5;

/**
 * Chooses one candidate. Throws `SERVICE_NOT_FOUND` when there is none and `BAD_MODE` when
 * `exact` finds several. `select:` probes every candidate in parallel and never waits past
 * `timeoutMs`; probes that fail, answer late or answer a non-number are skipped; with no answer
 * the choice is uniform at random; ties are broken at random.
 */
export async function selectInstance<C>(
  candidates: readonly C[],
  mode: Mode,
  probe: Probe<C>,
  options: SelectOptions<C>,
): Promise<Selection<C>> {
  const random = options.random ?? Math.random;
  if (candidates.length === 0) throw notFound(options.query);
  switch (mode.kind) {
    case 'exact':
      return pickExact(candidates, options);
    case 'random':
      return pickRandom(candidates, random);
    case 'first':
      return { candidate: candidates[0] as C, reason: 'first' };
    case 'last':
      return { candidate: candidates[candidates.length - 1] as C, reason: 'last' };
    case 'select':
      return pickByProbes(candidates, mode, probe, options);
    case 'balance':
      // A proxy that moves per call needs the hub's router: there is nothing to choose once here.
      throw new MycelError('BAD_MODE', `mode "${formatMode(mode)}" chooses per call in the hub; it cannot be run here`);
    default: {
      const never: never = mode;
      throw new MycelError('BAD_MODE', `invalid mode "${formatMode(never)}"`);
    }
  }
}

/** The error of a query that names no instance. */
export function notFound(query = 'service'): MycelError {
  return new MycelError('SERVICE_NOT_FOUND', `service "${query}" not found`);
}

/** `exact`: the only candidate, or `BAD_MODE` listing them and the modes that would choose. */
export function pickExact<C>(candidates: readonly C[], options: Pick<SelectOptions<C>, 'describe' | 'query'>): Selection<C> {
  if (candidates.length === 1) return { candidate: candidates[0] as C, reason: 'exact' };
  const describe = options.describe ?? String;
  const listed = candidates.slice(0, LISTED).map((c) => `"${describe(c)}"`).join(', ');
  const more = candidates.length > LISTED ? `, and ${candidates.length - LISTED} more` : '';
  throw new MycelError(
    'BAD_MODE',
    `multiple services found for "${options.query ?? 'service'}" (${candidates.length}): ${listed}${more}; ` +
      `choose one with mode ${choosingModeForms()}`,
  );
}

/** `random`: a candidate uniformly at random. */
export function pickRandom<C>(candidates: readonly C[], random: () => number = Math.random): Selection<C> {
  return { candidate: pick(candidates, random), reason: 'random' };
}

/**
 * `select:CRITERION:FN`: probes in parallel every candidate without a known value (`min` and
 * `max` take `options.known` where it has one; a lone candidate is chosen unprobed) and never
 * waits past `options.timeoutMs`.
 */
export function pickByProbes<C>(
  candidates: readonly C[],
  mode: Extract<Mode, { kind: 'select' }>,
  probe: Probe<C>,
  options: SelectOptions<C>,
): Promise<Selection<C>> {
  if (candidates.length === 1) return Promise.resolve({ candidate: candidates[0] as C, reason: 'only' });
  const random = options.random ?? Math.random;
  const known = mode.criterion === 'first_success' ? undefined : options.known;
  const values: (number | undefined)[] = candidates.map((c) => known?.(c));
  const unknown: number[] = [];
  values.forEach((v, i) => {
    if (v === undefined) unknown.push(i);
  });
  if (unknown.length === 0) return Promise.resolve({ ...choose(candidates, values, mode.criterion, random), probed: 0 });
  return probeRound(candidates, values, unknown, mode, probe, options, random);
}

/** A probe result as a number, or undefined when it is none: numbers, and numeric strings. */
export function probeNumber(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value === 'string' && value.trim() !== '') {
    const n = Number(value);
    return Number.isFinite(n) ? n : undefined;
  }
  return undefined;
}

/** Probes the candidates at `toProbe` (indices), fills their `values` and chooses among all. */
function probeRound<C>(
  candidates: readonly C[],
  values: (number | undefined)[],
  toProbe: readonly number[],
  mode: Extract<Mode, { kind: 'select' }>,
  probe: Probe<C>,
  options: SelectOptions<C>,
  random: () => number,
): Promise<Selection<C>> {
  const { clock, timeoutMs } = options;
  const probed = toProbe.length;
  return new Promise((resolve) => {
    let outstanding = probed;
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      clock.clearTimeout(timer);
      resolve({ ...choose(candidates, values, mode.criterion, random), probed });
    };
    const timer = clock.setTimeout(finish, timeoutMs);
    const sentAt = clock.now();
    toProbe.forEach((i) => {
      const candidate = candidates[i] as C;
      let pending: Promise<unknown>;
      try {
        pending = Promise.resolve(probe(candidate, timeoutMs));
      } catch (error) {
        pending = Promise.reject(error);
      }
      pending.then(
        (value) => {
          const number = probeNumber(value);
          // Late answers are still news about the candidate, only too late for this round.
          options.onValue?.(candidate, number, sentAt);
          if (done) return;
          values[i] = number;
          if (mode.criterion === 'first_success' && values[i] !== undefined) {
            done = true;
            clock.clearTimeout(timer);
            resolve({ candidate, reason: 'first_success', value: values[i], answered: 1, probed });
            return;
          }
          if (--outstanding === 0) finish();
        },
        () => {
          if (done) return;
          if (--outstanding === 0) finish();
        },
      );
    });
  });
}

function choose<C>(
  candidates: readonly C[],
  values: readonly (number | undefined)[],
  criterion: 'min' | 'max' | 'first_success',
  random: () => number,
): Selection<C> {
  let best: number | undefined;
  let winners: C[] = [];
  let answered = 0;
  candidates.forEach((candidate, i) => {
    const v = values[i];
    if (v === undefined) return;
    answered++;
    const better = best === undefined || (criterion === 'max' ? v > best : v < best);
    if (better) {
      best = v;
      winners = [candidate];
    } else if (v === best) {
      winners.push(candidate);
    }
  });
  if (best === undefined) return { candidate: pick(candidates, random), reason: 'fallback', answered: 0 };
  return { candidate: pick(winners, random), reason: 'best', value: best, answered };
}

function pick<C>(items: readonly C[], random: () => number): C {
  const index = Math.min(items.length - 1, Math.floor(random() * items.length));
  return items[index] as C;
}
