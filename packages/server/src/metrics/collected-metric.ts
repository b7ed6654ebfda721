/**
 * Metrics whose values are read from the hub's own counters when Prometheus scrapes, instead of
 * being pushed into prom-client on every frame: the hot path only adds to plain numbers, and
 * prom-client (registry, text format) does the rest. prom-client's `labels(...).inc()` hashes
 * its labels on every call, which is too slow for per-frame counting.
 */
import type { Metric, Registry } from 'prom-client';

/** One series: labels and value. */
export interface Sample {
  labels: Record<string, string>;
  value: number;
}

/** One histogram series: labels, cumulative-free bucket counts (last is +Inf), sum. */
export interface HistogramSample {
  labels: Record<string, string>;
  buckets: ArrayLike<number>;
  sum: number;
}

interface MetricValue {
  metricName?: string;
  labels: Record<string, string | number>;
  value: number;
}

/** Registers a counter or gauge whose samples `read` produces at scrape time. */
export function registerCollected(
  registry: Registry,
  spec: { name: string; help: string; type: 'counter' | 'gauge' },
  read: () => Iterable<Sample>,
): void {
  register(registry, spec.name, spec.help, spec.type, () => {
    const values: MetricValue[] = [];
    for (const sample of read()) values.push({ labels: sample.labels, value: sample.value });
    return values;
  });
}

/** Registers a histogram whose series `read` produces at scrape time, with bounds `upperBounds`. */
export function registerCollectedHistogram(
  registry: Registry,
  spec: { name: string; help: string; upperBounds: readonly number[] },
  read: () => Iterable<HistogramSample>,
): void {
  register(registry, spec.name, spec.help, 'histogram', () => {
    const values: MetricValue[] = [];
    for (const sample of read()) {
      let cumulative = 0;
      spec.upperBounds.forEach((le, i) => {
        cumulative += sample.buckets[i] ?? 0;
        values.push({ metricName: `${spec.name}_bucket`, labels: { ...sample.labels, le }, value: cumulative });
      });
      cumulative += sample.buckets[spec.upperBounds.length] ?? 0;
      values.push({ metricName: `${spec.name}_bucket`, labels: { ...sample.labels, le: '+Inf' }, value: cumulative });
      values.push({ metricName: `${spec.name}_sum`, labels: sample.labels, value: sample.sum });
      values.push({ metricName: `${spec.name}_count`, labels: sample.labels, value: cumulative });
    }
    return values;
  });
}

function register(registry: Registry, name: string, help: string, type: string, values: () => MetricValue[]): void {
  // prom-client's registry takes any object with a name and an async `get()` of this shape.
  const metric = {
    name,
    help,
    type,
    aggregator: 'sum',
    get: async () => ({ name, help, type, values: values(), aggregator: 'sum' }),
  };
  registry.registerMetric(metric as unknown as Metric);
}
