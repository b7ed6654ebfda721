/** Order statistics used by every measure and by the report. */

/**
 * The `p`-th percentile (0..100) of `values`, by nearest rank.
 * @param {readonly number[]} values
 * @param {number} p
 * @returns {number}
 */
export function percentile(values, p) {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))];
}

/**
 * The median of `values` (the mean of the two middle ones for an even count); NaN when empty.
 * @param {readonly number[]} values
 * @returns {number}
 */
export function median(values) {
  const finite = values.filter((v) => Number.isFinite(v));
  if (finite.length === 0) return Number.NaN;
  const sorted = [...finite].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/**
 * Times `fn` with the monotonic clock.
 * @param {() => Promise<unknown>} fn
 * @returns {Promise<number>} milliseconds
 */
export async function timeMs(fn) {
  const start = performance.now();
  await fn();
  return performance.now() - start;
}
