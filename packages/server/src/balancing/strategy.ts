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
  /** Called with each number a probe answered. */
  readonly onValue: (record: ServiceRecord, value: number) => void;
}

/** One strategy: picks among candidates (never empty: the table answers that case). */
export interface Strategy<M extends Mode = Mode> {
  choose(
    candidates: readonly ServiceRecord[],
    mode: M,
    context: StrategyContext,
  ): Selection<ServiceRecord> | Promise<Selection<ServiceRecord>>;
}
