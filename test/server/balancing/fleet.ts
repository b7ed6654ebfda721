/**
 * A service group built in memory for the per-call strategy tests: a real `Registry` (no
 * sockets), a seeded random source, and a pick helper that fills the `PickContext`.
 */
import type { CallStrategy, CallStrategyOptions, PickContext } from '../../../packages/server/src/balancing/call-strategy.js';
import { Registry, type ServiceGroup, type ServiceRecord } from '../../../packages/server/src/registry.js';

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

/** A seeded uniform random source in [0, 1) (mulberry32): the same seed, the same numbers. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}
