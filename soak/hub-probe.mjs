/**
 * Preloaded into the hub process (with `--expose-gc`): on SIGUSR2 it runs a full garbage
 * collection and prints one JSON line with the live heap, so the soak can tell retained memory
 * (a leak) from memory V8 simply has not given back (RSS). Nothing else changes in the hub.
 */
process.on('SIGUSR2', () => {
  // What V8 had reserved before the GC: RSS follows it, the live heap does not.
  const heapTotalBeforeGc = process.memoryUsage().heapTotal;
  globalThis.gc?.();
  const { heapUsed, heapTotal, external, rss } = process.memoryUsage();
  process.stdout.write(`${JSON.stringify({ msg: 'soak heap probe', heapUsed, heapTotal, heapTotalBeforeGc, external, rss })}\n`);
});
