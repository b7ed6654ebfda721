/**
 * A service group built in memory for the per-call strategy tests: a real `Registry` (no
 * sockets), a seeded random source, and a pick helper that fills the `PickContext`.
 */
import type { CallStrategy, CallStrategyOptions, PickContext } from '../../../packages/server/src/balancing/call-strategy.js';
import { instanceBalancingFrom } from '../../../packages/server/src/balancing/instance-config.js';
import { noteCallAnswered, noteCallRouted } from '../../../packages/server/src/instance-state.js';
import { Registry, type ServiceGroup, type ServiceRecord } from '../../../packages/server/src/registry.js';
import { seededRandom } from '../../helpers/seeded-random.js';

export { seededRandom };

/** A fleet of instances of service `svc` in workspace `ws`. */
export class Fleet {
  readonly registry = new Registry();
  #next = 0;

  /** Registers `count` instances (with `config`, e.g. `{ weight: 3 }`) and returns them. */
  add(count = 1, config: Record<string, unknown> = {}): ServiceRecord[] {
    const added: ServiceRecord[] = [];
    for (let i = 0; i < count; i++) {
      const clientId = `c${this.#next++}`;
      const id = `ws/${clientId}:svc`;
      const { record } = this.registry.register({
        id,
        workspace: 'ws',
        clientId,
        serviceId: 'svc',
        appId: '*',
        peerId: `ws/${clientId}`,
        visibility: 'protected',
        info: { id, config },
        balancing: instanceBalancingFrom(config),
      });
      added.push(record);
    }
    return added;
  }

  remove(record: ServiceRecord): void {
    this.registry.unregister(record.id);
  }

  get group(): ServiceGroup {
    const group = this.registry.group('ws', 'svc');
    if (!group) throw new Error('the fleet is empty');
    return group;
  }

  get instances(): readonly ServiceRecord[] {
    return this.group.instances;
  }
}

/** What a test may set of the pick context. */
export interface PickOptions {
  random?: () => number;
  now?: number;
  key?: string | undefined;
  options?: CallStrategyOptions;
  candidates?: readonly ServiceRecord[];
}

/** Picks once with `strategy` over the fleet (or `candidates`). */
export function pickOnce(strategy: CallStrategy, fleet: Fleet, options: PickOptions = {}): ServiceRecord {
  const context: PickContext = {
    group: fleet.group,
    random: options.random ?? Math.random,
    now: options.now ?? 0,
    key: options.key,
    options: options.options,
  };
  return strategy.pick(options.candidates ?? fleet.instances, context);
}

/** What {@link simulateQueue} runs. */
export interface QueueSimulation {
  /** Each instance's service time per call, ms; it serves one call at a time, the others queue. */
  serviceMs: readonly number[];
  /** Calls kept in flight: a new call starts as soon as one ends. */
  concurrency: number;
  calls: number;
  seed: number;
}

/**
 * Runs `calls` calls through `strategy` on fake time, each instance a FIFO queue, and returns how
 * many calls each instance served (in `serviceMs` order). The instances' live state is kept by
 * the hub's own functions (`noteCallRouted`, `noteCallAnswered`), as the router does.
 */
export function simulateQueue(strategy: CallStrategy, simulation: QueueSimulation): number[] {
  const fleet = new Fleet();
  const records = fleet.add(simulation.serviceMs.length);
  const random = seededRandom(simulation.seed);
  const busyUntil = records.map(() => 0);
  const served = records.map(() => 0);
  const pending: { start: number; end: number; index: number }[] = [];
  let now = 0;
  let started = 0;
  while (started < simulation.calls || pending.length > 0) {
    while (started < simulation.calls && pending.length < simulation.concurrency) {
      const picked = strategy.pick(fleet.instances, { group: fleet.group, random, now, key: undefined });
      const index = records.indexOf(picked);
      noteCallRouted(picked.state);
      busyUntil[index] = Math.max(now, busyUntil[index]!) + simulation.serviceMs[index]!;
      pending.push({ start: now, end: busyUntil[index]!, index });
      served[index]!++;
      started++;
    }
    let next = 0;
    for (let i = 1; i < pending.length; i++) if (pending[i]!.end < pending[next]!.end) next = i;
    const [done] = pending.splice(next, 1);
    now = done!.end;
    noteCallAnswered(records[done!.index]!.state, now - done!.start, false, now);
  }
  return served;
}
