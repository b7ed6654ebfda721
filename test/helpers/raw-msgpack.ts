/**
 * Hand-made msgpack bytes for tests of hostile input: values that no well-behaved encoder writes
 * (nil or array map keys, strings that are not UTF-8, extensions of any type and size), plus a
 * fast-check arbitrary of such values, and the verdicts of the official decoders on them.
 */
import { spawnSync } from 'node:child_process';
import { decode } from '@msgpack/msgpack';
import fc from 'fast-check';
import { concatBytes } from './assertions.js';
import { ROOT } from './process.js';

/** A msgpack value as bytes. */
export type Raw = Uint8Array;

export const nil: Raw = Uint8Array.of(0xc0);
export const bool = (value: boolean): Raw => Uint8Array.of(value ? 0xc3 : 0xc2);

/** A positive fixint or uint8/16/32. */
export function uint(value: number): Raw {
  if (value < 0x80) return Uint8Array.of(value);
  if (value < 0x100) return Uint8Array.of(0xcc, value);
  if (value < 0x10000) return Uint8Array.of(0xcd, value >> 8, value & 0xff);
  return Uint8Array.of(0xce, value >>> 24, (value >> 16) & 0xff, (value >> 8) & 0xff, value & 0xff);
}

/** A uint64 from its 8 big-endian bytes. */
export const uint64 = (...bytes: number[]): Raw => Uint8Array.of(0xcf, ...bytes);

/** A float64. */
export function float(value: number): Raw {
  const out = new Uint8Array(9);
  out[0] = 0xcb;
  new DataView(out.buffer).setFloat64(1, value);
  return out;
}

/** A str whose payload is `bytes` as given (valid UTF-8 or not). */
export function strBytes(bytes: ArrayLike<number>): Raw {
  const n = bytes.length;
  const head = n < 32 ? [0xa0 | n] : n < 0x100 ? [0xd9, n] : [0xda, n >> 8, n & 0xff];
  return Uint8Array.of(...head, ...Array.from(bytes));
}

/** A str holding `text` as UTF-8. */
export const str = (text: string): Raw => strBytes(new TextEncoder().encode(text));

/** A bin. */
export const bin = (bytes: ArrayLike<number>): Raw => Uint8Array.of(0xc4, bytes.length, ...Array.from(bytes));

/** An extension of `type` (-128..127) holding `data`; fixext forms where they fit. */
export function ext(type: number, data: ArrayLike<number>): Raw {
  const t = type & 0xff;
  const fixed: Record<number, number> = { 1: 0xd4, 2: 0xd5, 4: 0xd6, 8: 0xd7, 16: 0xd8 };
  const head = fixed[data.length] !== undefined ? [fixed[data.length] as number, t] : [0xc7, data.length, t];
  return Uint8Array.of(...head, ...Array.from(data));
}

/** An array of values. */
export function array(...items: Raw[]): Raw {
  const n = items.length;
  const head = n < 16 ? Uint8Array.of(0x90 | n) : Uint8Array.of(0xdc, n >> 8, n & 0xff);
  return concatBytes(head, ...items);
}

/** A map from key/value pairs, keys of any type. */
export function map(...entries: [Raw, Raw][]): Raw {
  const n = entries.length;
  const head = n < 16 ? Uint8Array.of(0x80 | n) : Uint8Array.of(0xde, n >> 8, n & 0xff);
  return concatBytes(head, ...entries.flat());
}

/** A map with string keys. */
export const obj = (entries: Record<string, Raw>): Raw => map(...Object.entries(entries).map(([k, v]): [Raw, Raw] => [str(k), v]));

/** Ill-formed UTF-8 sequences (overlong, surrogate, above U+10FFFF, truncated, stray continuation). */
export const BAD_UTF8: readonly number[][] = [
  [0xff],
  [0xc0, 0x80],
  [0xed, 0xa0, 0x80],
  [0xf4, 0x90, 0x80, 0x80],
  [0xe2, 0x82],
  [0x80],
  [0x61, 0xf0, 0x9f, 0x98],
];

/**
 * Random msgpack values, weighted towards what official decoders choke on: keys of every type
 * (`__proto__` among them), strings with ill-formed UTF-8, timestamp extensions of any size and
 * nanoseconds, other extension types.
 */
export const hostileValue: fc.Arbitrary<Raw> = fc.letrec<{ value: Raw; key: Raw }>((tie) => ({
  key: fc.oneof(
    { weight: 6, arbitrary: fc.string({ maxLength: 12 }).map(str) },
    { weight: 1, arbitrary: fc.constant(str('__proto__')) },
    { weight: 2, arbitrary: tie('value') },
  ),
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constant(nil),
    fc.boolean().map(bool),
    fc.nat({ max: 0xffffffff }).map(uint),
    fc.double().map(float),
    fc.string({ unit: 'binary', maxLength: 12 }).map(str),
    fc.constantFrom(...BAD_UTF8).map(strBytes),
    fc.uint8Array({ maxLength: 8 }).map(bin),
    fc
      .tuple(fc.constantFrom(-1, -1, -1, 0, 5, 0x42, 0x74), fc.constantFrom(1, 2, 4, 8, 12, 16, 3), fc.nat({ max: 0xff }))
      .map(([type, size, fill]) => ext(type, new Array<number>(size).fill(fill))),
    fc.array(tie('value'), { maxLength: 4 }).map((items) => array(...items)),
    fc.array(fc.tuple(tie('key'), tie('value')), { maxLength: 4 }).map((entries) => map(...entries)),
  ),
})).value;

/** Whether @msgpack/msgpack (hypha-rpc JS's decoder) decodes `bytes` without throwing. */
export function jsDecodes(bytes: Raw): boolean {
  try {
    decode(bytes);
    return true;
  } catch {
    return false;
  }
}

/**
 * Whether Python's msgpack, set up as the official Python client sets it up, decodes each value:
 * one Python process for all of them. Needs Debian's python3-msgpack (`.ci/run` installs it).
 */
export function pythonDecodes(values: readonly Raw[]): boolean[] {
  const input = values.map((v) => Buffer.from(v).toString('hex')).join('\n');
  const result = spawnSync('/usr/bin/python3', ['test/fixtures/python-msgpack-verdicts.py'], {
    cwd: ROOT,
    input,
    encoding: 'utf8',
  });
  if (result.status !== 0) throw new Error(`python3 failed: ${result.stderr || result.error?.message}`);
  const lines = result.stdout.trim().split('\n');
  if (lines.length !== values.length) throw new Error(`python3 gave ${lines.length} verdicts for ${values.length} values`);
  return lines.map((line) => line === 'ok');
}
