/** Payload round trips: `echo` of a byte array, which travels to the worker and back. */
import { median, timeMs } from '../stats.mjs';

/** The payload sizes measured. */
export const PAYLOAD_SIZES = [
  { name: '1KiB', bytes: 1024 },
  { name: '1MiB', bytes: 1024 * 1024 },
  { name: '4MiB', bytes: 4 * 1024 * 1024 },
];

/**
 * Median round-trip time of `echo(bytes)` per size, after one unmeasured call per size.
 * @param {(value: unknown) => Promise<unknown>} echo
 * @param {{ repeats: Record<string, number> }} options how many calls per size name
 * @returns {Promise<Record<string, number>>} milliseconds by size name
 */
export async function measurePayloads(echo, { repeats }) {
  const result = {};
  for (const { name, bytes } of PAYLOAD_SIZES) {
    const payload = new Uint8Array(bytes).fill(7);
    const answer = await echo(payload);
    if (byteLength(answer) !== bytes) throw new Error(`echo of ${name} came back as ${byteLength(answer)} bytes`);
    const times = [];
    for (let i = 0; i < repeats[name]; i++) times.push(await timeMs(() => echo(payload)));
    result[name] = median(times);
  }
  return result;
}

function byteLength(value) {
  return value?.byteLength ?? value?.length ?? -1;
}
