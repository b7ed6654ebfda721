/**
 * What a balancing strategy is: a function that picks one instance among candidates for a mode,
 * with what it may read (the service group and its strategy state, the clock, a random source)
 * and how it may call out (probes). Each strategy is one file in this folder and one line in
 * `strategies.ts`.
 */
import type { Clock, Mode, Probe, Selection } from '@mycel/protocol';
import type { ServiceGroup, ServiceRecord } from '../registry.js';

/** What a strategy may use while it chooses. */
export interface StrategyContext {
  /** What was asked for, for error messages. */
  readonly query: string;
  /**
   * The group the candidates belong to, where a strategy keeps its state across choices
   * (`group.strategyState`, rebuilt when `group.version` moves). Undefined when none is registered.
   */
  readonly group: ServiceGroup | undefined;
  readonly clock: Clock;
  /** Uniform random number in [0, 1). */
  readonly random: () => number;
  /** Bound of a probe round, probe calls included. */
  readonly timeoutMs: number;
  /** Calls a mode's probe function on one candidate. */
  readonly probe: Probe<ServiceRecord>;
  /** Called with each answer a probe gave (undefined: not a number) and the hub time it was sent. */
  readonly onValue: (record: ServiceRecord, value: number | undefined, sentAt: number) => void;
  /** The fresh value of metric `fn` the hub holds for an instance (a load report), or undefined. */
  readonly freshValue: (record: ServiceRecord, fn: string) => number | undefined;
}

/** One strategy: picks among candidates (never empty: the table answers that case). */
export interface Strategy<M extends Mode = Mode> {
  choose(
    candidates: readonly ServiceRecord[],
    mode: M,
    context: StrategyContext,
  ): Selection<ServiceRecord> | Promise<Selection<ServiceRecord>>;
}
