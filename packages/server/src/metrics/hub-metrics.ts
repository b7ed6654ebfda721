/**
 * The hub's Prometheus metrics (`GET /metrics`). Frame, byte and call counters are plain numbers
 * that the hot path adds to; they become Prometheus series when scraped (`collected-metric.ts`).
 * Label values are bounded: workspace, service and (switchable) instance ids of registered
 * services, outcomes and mode kinds from closed lists, never per-call ids or function names.
 */
import { Counter, Registry, collectDefaultMetrics } from 'prom-client';
import type { Mode } from '@mycel/protocol';
import type { InstanceState } from '../instance-state.js';
import { LATENCY_BUCKETS_S, type CallWindow } from './call-window.js';
import { registerCollected, registerCollectedHistogram, type HistogramSample, type Sample } from './collected-metric.js';

/** One service instance's call figures as the metrics read them. */
export interface InstanceCalls {
  workspace: string;
  service: string;
  /** The instance id (`workspace/client:service`). */
  instance: string;
  state: InstanceState;
}

/** Where the metrics read the hub's state at scrape time. */
export interface MetricsSource {
  /** Clients connected now. */
  connections(): number;
  /** Services registered now. */
  services(): number;
  /** Every registered instance with its call figures. */
  instances(): Iterable<InstanceCalls>;
}

/** Options of {@link HubMetrics}. */
export interface MetricsOptions {
  /** Label call series with the instance id; turn off for large fleets (series per service then). @default true */
  instanceLabels: boolean;
}

/** Why a client was throttled by its message rate. */
export type RateLimitAction = 'paused' | 'dropped';

interface Totals {
  workspace: string;
  service: string;
  ok: number;
  errors: number;
  closed: number;
  buckets: number[];
  sum: number;
}

/** The metrics of one hub, with their own prom-client registry. */
export class HubMetrics {
  readonly registry = new Registry();
  /** Binary and text frames read from clients, and their bytes. */
  framesIn = 0;
  bytesIn = 0;
  /** Frames written to clients, and their bytes. */
  framesOut = 0;
  bytesOut = 0;
  /** Sockets admitted after their handshake, and refused. */
  connectionsOpened = 0;
  connectionsRefused = 0;
  readonly #selections: Counter<'mode'>;
  readonly #probes: Counter<'result'>;
  readonly #rateLimited: Counter<'action'>;
  readonly #httpRequests: Counter<'route' | 'status'>;
  readonly #drains: Counter<'outcome'>;
  readonly #source: MetricsSource;
  readonly #instanceLabels: boolean;
  /** Totals of instances that left, per service, so per-service counters never go down. */
  readonly #retired = new Map<string, Totals>();
  #hasProcessMetrics = false;

  constructor(source: MetricsSource, options: MetricsOptions) {
    this.#source = source;
    this.#instanceLabels = options.instanceLabels;
    const registers = [this.registry];
    registerCollected(this.registry, { name: 'mycel_connections', help: 'Clients connected now.', type: 'gauge' }, () => [
      { labels: {}, value: source.connections() },
    ]);
    registerCollected(this.registry, { name: 'mycel_connections_opened_total', help: 'Clients admitted after their handshake.', type: 'counter' }, () => [
      { labels: {}, value: this.connectionsOpened },
    ]);
    registerCollected(this.registry, { name: 'mycel_connections_refused_total', help: 'Sockets refused at the handshake.', type: 'counter' }, () => [
      { labels: {}, value: this.connectionsRefused },
    ]);
    registerCollected(this.registry, { name: 'mycel_services', help: 'Service instances registered now.', type: 'gauge' }, () => [
      { labels: {}, value: source.services() },
    ]);
    registerCollected(this.registry, { name: 'mycel_frames_received_total', help: 'Frames read from clients.', type: 'counter' }, () => [
      { labels: {}, value: this.framesIn },
    ]);
    registerCollected(this.registry, { name: 'mycel_received_bytes_total', help: 'Bytes of frames read from clients.', type: 'counter' }, () => [
      { labels: {}, value: this.bytesIn },
    ]);
    registerCollected(this.registry, { name: 'mycel_frames_sent_total', help: 'Frames written to clients.', type: 'counter' }, () => [
      { labels: {}, value: this.framesOut },
    ]);
    registerCollected(this.registry, { name: 'mycel_sent_bytes_total', help: 'Bytes of frames written to clients.', type: 'counter' }, () => [
      { labels: {}, value: this.bytesOut },
    ]);
    registerCollected(
      this.registry,
      { name: 'mycel_calls_total', help: 'Calls to service instances that ended, by outcome (ok, error, closed: the instance left first).', type: 'counter' },
      () => this.#callSamples(),
    );
    registerCollected(
      this.registry,
      { name: 'mycel_calls_in_flight', help: 'Calls sent to service instances and not answered yet.', type: 'gauge' },
      () => this.#inFlightSamples(),
    );
    registerCollectedHistogram(
      this.registry,
      { name: 'mycel_call_duration_seconds', help: 'Time from routing a call to its answer, in seconds.', upperBounds: LATENCY_BUCKETS_S },
      () => this.#latencySamples(),
    );
    this.#selections = new Counter({ name: 'mycel_selections_total', help: 'Instance selections (getService), by mode kind.', labelNames: ['mode'], registers });
    this.#probes = new Counter({
      name: 'mycel_probes_total',
      help: 'Probes of select: modes, by result (answered with a number, or skipped: failed, late, not a number).',
      labelNames: ['result'],
      registers,
    });
    this.#rateLimited = new Counter({
      name: 'mycel_rate_limited_total',
      help: 'Clients over their message rate: reads paused, or dropped for a queue over its limit.',
      labelNames: ['action'],
      registers,
    });
    this.#httpRequests = new Counter({ name: 'mycel_http_requests_total', help: 'HTTP requests, by route and status.', labelNames: ['route', 'status'], registers });
    this.#drains = new Counter({
      name: 'mycel_drains_total',
      help: 'Clients drained, by outcome (completed: every call in flight finished; timed_out: the drain timeout came first).',
      labelNames: ['outcome'],
      registers,
    });
  }

  /** Counts a drain that ended with `outcome`. */
  drained(outcome: 'completed' | 'timed_out'): void {
    this.#drains.inc({ outcome });
  }

  /** The content type of {@link text}. */
  get contentType(): string {
    return this.registry.contentType;
  }

  /** Counts one selection by `mode`, which sent `probes` and had `answered` of them answered with a number in time. */
  selected(mode: Mode, probes: number, answered: number): void {
    this.#selections.inc({ mode: modeLabel(mode) });
    if (answered > 0) this.#probes.inc({ result: 'answered' }, answered);
    if (probes > answered) this.#probes.inc({ result: 'skipped' }, probes - answered);
  }

  /** Counts a client admitted after its handshake. */
  admitted(): void {
    this.connectionsOpened++;
  }

  /** Counts a socket refused at its handshake. */
  refused(): void {
    this.connectionsRefused++;
  }

  /** Counts one rate-limit action. */
  rateLimited(action: RateLimitAction): void {
    this.#rateLimited.inc({ action });
  }

  /** Counts one HTTP request; `route` is one of a closed list. */
  httpRequest(route: string, status: number): void {
    this.#httpRequests.inc({ route, status: String(status) });
  }

  /** An instance left: its figures stay in its service's totals. */
  retire(entry: InstanceCalls): void {
    if (this.#instanceLabels) return;
    const totals = this.#totals(this.#retired, entry.workspace, entry.service);
    addTotals(totals, entry.state.calls);
  }

  /** Everything in Prometheus text format. Process metrics start with the first scrape. */
  async text(): Promise<string> {
    if (!this.#hasProcessMetrics) {
      this.#hasProcessMetrics = true;
      collectDefaultMetrics({ register: this.registry });
    }
    return this.registry.metrics();
  }

  #labels(entry: { workspace: string; service: string; instance?: string }): Record<string, string> {
    return this.#instanceLabels && entry.instance !== undefined
      ? { workspace: entry.workspace, service: entry.service, instance: entry.instance }
      : { workspace: entry.workspace, service: entry.service };
  }

  /** Per series totals: one per instance, or per service (live instances plus retired ones). */
  #series(): Iterable<Totals & { instance?: string }> {
    if (this.#instanceLabels) {
      const out: (Totals & { instance: string })[] = [];
      for (const entry of this.#source.instances()) {
        const totals = emptyTotals(entry.workspace, entry.service);
        addTotals(totals, entry.state.calls);
        out.push({ ...totals, instance: entry.instance });
      }
      return out;
    }
    const perService = new Map<string, Totals>();
    for (const entry of this.#source.instances()) addTotals(this.#totals(perService, entry.workspace, entry.service), entry.state.calls);
    for (const [key, retired] of this.#retired) {
      const live = perService.get(key);
      // A service with no instance left ends its series.
      if (!live) this.#retired.delete(key);
      else mergeTotals(live, retired);
    }
    return perService.values();
  }

  #callSamples(): Sample[] {
    const out: Sample[] = [];
    for (const s of this.#series()) {
      const labels = this.#labels(s);
      out.push({ labels: { ...labels, outcome: 'ok' }, value: s.ok });
      out.push({ labels: { ...labels, outcome: 'error' }, value: s.errors });
      out.push({ labels: { ...labels, outcome: 'closed' }, value: s.closed });
    }
    return out;
  }

  #inFlightSamples(): Sample[] {
    const sums = new Map<string, Sample>();
    for (const entry of this.#source.instances()) {
      const labels = this.#labels(entry);
      const key = Object.values(labels).join('\n');
      const sample = sums.get(key) ?? { labels, value: 0 };
      sample.value += entry.state.inFlight;
      sums.set(key, sample);
    }
    return [...sums.values()];
  }

  #latencySamples(): HistogramSample[] {
    return [...this.#series()].map((s) => ({ labels: this.#labels(s), buckets: s.buckets, sum: s.sum }));
  }

  #totals(map: Map<string, Totals>, workspace: string, service: string): Totals {
    const key = `${workspace}/${service}`;
    let totals = map.get(key);
    if (!totals) {
      totals = emptyTotals(workspace, service);
      map.set(key, totals);
    }
    return totals;
  }
}

/**
 * The `mode` label of a parsed mode: its kind with the criterion or strategy, never the function
 * name (`select:min`, `balance:round_robin`), so the label values are a closed set.
 */
export function modeLabel(mode: Mode): string {
  switch (mode.kind) {
    case 'select':
      return `select:${mode.criterion}`;
    case 'balance':
      return `balance:${mode.strategy}`;
    default:
      return mode.kind;
  }
}

function emptyTotals(workspace: string, service: string): Totals {
  return { workspace, service, ok: 0, errors: 0, closed: 0, buckets: new Array<number>(LATENCY_BUCKETS_S.length + 1).fill(0), sum: 0 };
}

function addTotals(totals: Totals, calls: CallWindow): void {
  totals.ok += calls.ok;
  totals.errors += calls.errors;
  totals.closed += calls.closed;
  totals.sum += calls.latencySumS;
  for (let i = 0; i < totals.buckets.length; i++) totals.buckets[i] = (totals.buckets[i] ?? 0) + (calls.buckets[i] ?? 0);
}

function mergeTotals(into: Totals, from: Totals): void {
  into.ok += from.ok;
  into.errors += from.errors;
  into.closed += from.closed;
  into.sum += from.sum;
  for (let i = 0; i < into.buckets.length; i++) into.buckets[i] = (into.buckets[i] ?? 0) + (from.buckets[i] ?? 0);
}
