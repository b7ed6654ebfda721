/**
 * The limits tables in `packages/protocol/README.md` and `docs/reliability.md` cannot drift from
 * the hub's defaults: every hub option that is a limit is named in both, and each row that names
 * an option shows its default from DEFAULT_HUB_OPTIONS, in the unit the option's name carries.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_HUB_OPTIONS } from '@mycel/server';
import { ROOT } from '../helpers/process.js';

const TABLES = ['packages/protocol/README.md', 'docs/reliability.md'];
/** Options that are not limits: where the hub listens, what it is called, and switches. */
const NOT_LIMITS = new Set(['host', 'port', 'hubId', 'metrics', 'metricsInstanceLabels']);
const KIB = 1024;
const MIB = 1024 * 1024;

type OptionName = keyof typeof DEFAULT_HUB_OPTIONS;
const OPTIONS = Object.keys(DEFAULT_HUB_OPTIONS) as OptionName[];

/** A count as the docs write it: thousands grouped with a space (`10 000`). */
function count(value: number): string {
  return String(value).replace(/\B(?=(\d{3})+(?!\d))/g, ' ');
}

/** An option's default as the docs write it, from the unit at the end of its name. */
function figure(name: OptionName): string {
  const value = DEFAULT_HUB_OPTIONS[name] as number;
  if (/Bytes(Per[A-Z]\w*)?$/.test(name)) {
    if (value % MIB === 0) return `${value / MIB} MiB`;
    if (value % KIB === 0) return `${value / KIB} KiB`;
    return `${count(value)} bytes`;
  }
  if (/Ms(Per[A-Z]\w*)?$/.test(name)) return value % 1000 === 0 ? `${count(value / 1000)} s` : `${count(value)} ms`;
  if (name.endsWith('S')) return `${count(value)} s`;
  return count(value);
}

/** The rows of the table under `## Limits`, as their raw lines. */
function limitRows(file: string): string[] {
  const text = readFileSync(join(ROOT, file), 'utf8');
  const section = text.split(/^## /m).find((part) => part.startsWith('Limits'));
  if (!section) throw new Error(`${file} has no "## Limits" section`);
  return section.split('\n').filter((line) => line.startsWith('|') && !/^\|\s*(---|limit\s*\|)/.test(line));
}

/** The hub options a row names in backticks. */
function optionsIn(row: string): OptionName[] {
  const names = [...row.matchAll(/`([A-Za-z]+)`/g)].map((m) => m[1] as string);
  return OPTIONS.filter((option) => names.includes(option));
}

describe.each(TABLES)('the limits table of %s', (file) => {
  const rows = limitRows(file);

  it('names every hub limit', () => {
    const named = new Set(rows.flatMap(optionsIn));
    expect(OPTIONS.filter((option) => !NOT_LIMITS.has(option) && !named.has(option))).toEqual([]);
  });

  it('shows each named option with its default from DEFAULT_HUB_OPTIONS', () => {
    const wrong: string[] = [];
    for (const row of rows) {
      for (const option of optionsIn(row)) {
        if (!row.includes(figure(option))) wrong.push(`${option}: expected "${figure(option)}" in: ${row}`);
      }
    }
    expect(wrong).toEqual([]);
  });
});

describe('figure', () => {
  it('writes each unit as the docs do', () => {
    expect(figure('maxPayloadBytes')).toBe('16 MiB');
    expect(figure('maxServiceInfoBytes')).toBe('64 KiB');
    expect(figure('handshakeTimeoutMs')).toBe('5 s');
    expect(figure('maxInFlightPerClient')).toBe('10 000');
    expect(figure('maxQueuedBytesPerClient')).toBe('16 MiB');
    expect(figure('reconnectionTokenLifetimeS')).toBe('172 800 s');
  });
});
