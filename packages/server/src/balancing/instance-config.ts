/**
 * What an instance tells the balancer at registration, in its service `config`: `weight`,
 * `priority` (failover levels), `metadata` (what callers `match`) and `max_concurrency`. Checked
 * once here, so the per-call path reads plain numbers; an ill-typed value refuses the
 * registration with an error naming the field.
 */
import { MycelError } from '@mycel/protocol';

/** The balancing side of an instance's config, normalised. */
export interface InstanceBalancing {
  /** Share of `balance:weighted`: an integer >= 1. */
  readonly weight: number;
  /** Failover level: calls go to the lowest level that has an instance (0 = primary). */
  readonly priority: number;
  /** Labels a caller's `match` filters on. */
  readonly metadata: Readonly<Record<string, string>>;
  /** Most calls the hub routes to it at once; {@link UNBOUNDED_CONCURRENCY} when it sets none. */
  readonly maxConcurrency: number;
}

/** Largest `weight` accepted: shares finer than one in a million mean nothing. */
export const MAX_WEIGHT = 1_000_000;
/** Largest `priority` level accepted. */
export const MAX_PRIORITY = 1_000;
/** Largest `max_concurrency` accepted. */
export const MAX_CONCURRENCY = 1_000_000_000;
/** The `maxConcurrency` of an instance that sets none: above any count of calls (and plain data, unlike Infinity). */
export const UNBOUNDED_CONCURRENCY = Number.MAX_SAFE_INTEGER;

/** An instance that says nothing: weight 1, primary, no labels, no concurrency bound. */
export const DEFAULT_INSTANCE_BALANCING: InstanceBalancing = Object.freeze({
  weight: 1,
  priority: 0,
  metadata: Object.freeze({}),
  maxConcurrency: UNBOUNDED_CONCURRENCY,
});

/**
 * Reads the balancing fields of a service `config`. Absent (or null) fields take their defaults;
 * other fields are not looked at. Throws `BAD_MESSAGE` naming a field of the wrong type.
 */
export function instanceBalancingFrom(config: Readonly<Record<string, unknown>>): InstanceBalancing {
  const { weight, priority, metadata, max_concurrency: maxConcurrency } = config;
  if (weight == null && priority == null && metadata == null && maxConcurrency == null) return DEFAULT_INSTANCE_BALANCING;
  return {
    weight: integerField('weight', weight, 1, MAX_WEIGHT, 1),
    priority: integerField('priority', priority, 0, MAX_PRIORITY, 0),
    metadata: metadataField(metadata),
    maxConcurrency: integerField('max_concurrency', maxConcurrency, 1, MAX_CONCURRENCY, UNBOUNDED_CONCURRENCY),
  };
}

function integerField(name: string, value: unknown, min: number, max: number, fallback: number): number {
  if (value == null) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new MycelError('BAD_MESSAGE', `service config "${name}" must be an integer from ${min} to ${max}, got ${describe(value)}`);
  }
  return value;
}

function metadataField(value: unknown): Readonly<Record<string, string>> {
  if (value == null) return DEFAULT_INSTANCE_BALANCING.metadata;
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw new MycelError('BAD_MESSAGE', `service config "metadata" must be an object of strings, got ${describe(value)}`);
  }
  const out: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const [key, item] of Object.entries(value)) {
    if (typeof item !== 'string') {
      throw new MycelError('BAD_MESSAGE', `service config "metadata.${key}" must be a string, got ${describe(item)}`);
    }
    out[key] = item;
  }
  return Object.freeze(out);
}

/** A value for an error message: its JSON, cut short. */
export function describe(value: unknown): string {
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value);
  }
  return text.length > 40 ? `${text.slice(0, 40)}...` : text;
}
