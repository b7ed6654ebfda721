/**
 * The config a caller gives `get_service` / `get_service_info`, as the hub reads it. Fields the
 * hub knows are type-checked (an ill-typed one is refused with an error naming it); unknown
 * fields are ignored, as Hypha does, so clients may send what their own side uses
 * (`case_conversion`, `read_app_manifest`, ...). Null means absent (the Python client sends it).
 */
import { MycelError } from '@mycel/protocol';
import type { CallStrategyOptions } from './call-strategy.js';
import { describe } from './instance-config.js';

/** Longest affinity key accepted. */
export const MAX_KEY_LENGTH = 256;
/** Largest `affinity_max_entries` accepted. */
export const MAX_AFFINITY_ENTRIES = 1_000_000;

/** A caller's config, checked. */
export interface CallerConfig {
  /** The mode string, parsed later against the query's workspace. */
  readonly mode: string | undefined;
  /** `select_timeout` in seconds (the bound of a `select:` probe round), when given. */
  readonly selectTimeoutS: number | undefined;
  /** `timeout` in seconds, when given. */
  readonly timeoutS: number | undefined;
  /** Only instances whose metadata has each of these values (`balance:` modes). */
  readonly match: readonly (readonly [string, string])[];
  /** The affinity key of `balance:hash`, when given. */
  readonly key: string | undefined;
  /** Options of the per-call strategy (`balance:hash`'s affinity table). */
  readonly strategyOptions: CallStrategyOptions;
  /** `select:` modes: a function no instance has is an error, not a random choice. @default false */
  readonly isStrict: boolean;
}

/** Reads a caller's config (anything that is not an object counts as none). */
export function callerConfigFrom(config: unknown): CallerConfig {
  const cfg = config !== null && typeof config === 'object' && !Array.isArray(config) ? (config as Record<string, unknown>) : {};
  const mode = cfg.mode;
  if (mode != null && typeof mode !== 'string') throw badField('mode', 'a string', mode);
  const strict = cfg.strict;
  if (strict != null && typeof strict !== 'boolean') throw badField('strict', 'a boolean', strict);
  const retry = cfg.retry;
  if (retry != null && typeof retry !== 'boolean' && !isInteger(retry, 0, 100)) throw badField('retry', 'a boolean or an integer from 0 to 100', retry);
  const strategyOptions: { affinityTtlS?: number; affinityMaxEntries?: number } = {};
  const ttl = cfg.affinity_ttl;
  if (ttl != null) {
    if (typeof ttl !== 'number' || !Number.isFinite(ttl) || ttl < 0) throw badField('affinity_ttl', 'a number of seconds >= 0', ttl);
    strategyOptions.affinityTtlS = ttl;
  }
  const entries = cfg.affinity_max_entries;
  if (entries != null) {
    if (!isInteger(entries, 1, MAX_AFFINITY_ENTRIES)) throw badField('affinity_max_entries', `an integer from 1 to ${MAX_AFFINITY_ENTRIES}`, entries);
    strategyOptions.affinityMaxEntries = entries as number;
  }
  return {
    mode: mode ?? undefined,
    selectTimeoutS: selectTimeoutS(cfg.select_timeout),
    timeoutS: positiveSeconds('timeout', cfg.timeout),
    match: matchFrom(cfg.match),
    key: keyFrom(cfg.key),
    strategyOptions,
    isStrict: strict === true,
  };
}

function selectTimeoutS(value: unknown): number | undefined {
  if (value == null) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new MycelError('BAD_MESSAGE', 'select_timeout must be a positive number of seconds');
  }
  return value;
}

function positiveSeconds(name: string, value: unknown): number | undefined {
  if (value == null) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) throw badField(name, 'a number of seconds > 0', value);
  return value;
}

function matchFrom(value: unknown): readonly (readonly [string, string])[] {
  if (value == null) return [];
  if (typeof value !== 'object' || Array.isArray(value)) throw badField('match', 'an object of strings', value);
  const pairs = Object.entries(value);
  for (const [key, item] of pairs) {
    if (typeof item !== 'string') throw badField(`match.${key}`, 'a string', item);
  }
  return pairs as [string, string][];
}

function keyFrom(value: unknown): string | undefined {
  if (value == null) return undefined;
  // A number is a fine key (a user id); it is hashed as its decimal text.
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (typeof value !== 'string' || value.length > MAX_KEY_LENGTH) {
    throw badField('key', `a string of at most ${MAX_KEY_LENGTH} characters`, value);
  }
  return value;
}

function isInteger(value: unknown, min: number, max: number): boolean {
  return typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max;
}

function badField(name: string, expected: string, value: unknown): MycelError {
  return new MycelError('BAD_MESSAGE', `config "${name}" must be ${expected}, got ${describe(value)}`);
}
