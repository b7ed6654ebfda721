/**
 * The service registry: plain data, no sockets. Services are keyed by full id
 * (`workspace/client:service`), grouped by workspace + service id ({@link ServiceGroup}: the
 * instances a query names, with the state a balancing strategy keeps), and indexed by peer (for
 * clean-up when a client leaves, and for the router to find the instance a call goes to). Each
 * record carries its instance's live state (`instance-state.ts`).
 */
import { parseServiceQuery, type ServiceAddress } from '@mycel/protocol';
import { DEFAULT_INSTANCE_BALANCING, type InstanceBalancing } from './balancing/instance-config.js';
import { createInstanceState, type InstanceState } from './instance-state.js';

/** Who may see a service in listings. */
export type ServiceVisibility = 'protected' | 'public' | 'unlisted';

/** One registered service instance. */
export interface ServiceRecord {
  /** Full id: `workspace/client:service`. */
  id: string;
  workspace: string;
  clientId: string;
  serviceId: string;
  appId: string;
  /** The owning peer: `workspace/client`. */
  peerId: string;
  visibility: ServiceVisibility;
  /** The service info as listed to clients. */
  info: Record<string, unknown>;
  /** Registration order, increasing; the tiebreak for `first` / `last`. */
  seq: number;
  /** Live state: calls in flight, latency, metrics, health. */
  state: InstanceState;
  /** What its config tells the balancer (`weight`, `priority`, `metadata`, `max_concurrency`), checked. */
  balancing: InstanceBalancing;
}

/** A record as registration gives it; the registry adds `seq` and `state` (and default `balancing`). */
export type NewServiceRecord = Omit<ServiceRecord, 'seq' | 'state' | 'balancing'> & { balancing?: InstanceBalancing };

/**
 * The instances of one service name in one workspace, oldest registration first, and the state
 * strategies keep for it (a cursor, a weight schedule, a hash ring), each under its own key.
 */
export interface ServiceGroup {
  readonly workspace: string;
  readonly serviceId: string;
  /** Instances, oldest registration first. */
  readonly instances: readonly ServiceRecord[];
  /** Increases whenever an instance joins or leaves: strategies rebuild what they derived. */
  readonly version: number;
  /** Strategy state by strategy name. Dropped with the group when its last instance leaves. */
  readonly strategyState: Map<string, unknown>;
}

/** The mutable side of a group, private to the registry. */
interface Group extends ServiceGroup {
  instances: ServiceRecord[];
  version: number;
}

/** Filter of {@link Registry.list}. `*` or undefined matches anything. */
export interface ListFilter {
  workspace?: string | undefined;
  clientId?: string | undefined;
  serviceId?: string | undefined;
  type?: string | undefined;
  visibility?: string | undefined;
  appId?: string | undefined;
}

/** The registry. */
export class Registry {
  /** Called with each instance that leaves (unregistered, replaced, or its client gone). */
  onRemoved: ((record: ServiceRecord) => void) | undefined;
  readonly #byId = new Map<string, ServiceRecord>();
  readonly #groups = new Map<string, Group>();
  /** Per peer, its services by service id. */
  readonly #byPeer = new Map<string, Map<string, ServiceRecord>>();
  #seq = 0;

  /** How many services are registered. */
  get size(): number {
    return this.#byId.size;
  }

  /**
   * Adds or replaces a service. A replacement keeps nothing of the old record; it gets a new
   * sequence number and fresh state (it is a new registration).
   */
  register(record: NewServiceRecord): { record: ServiceRecord; replaced: ServiceRecord | undefined } {
    const replaced = this.#byId.get(record.id);
    if (replaced) this.#remove(replaced);
    const full: ServiceRecord = Object.assign({}, record, {
      seq: ++this.#seq,
      state: createInstanceState(),
      balancing: record.balancing ?? DEFAULT_INSTANCE_BALANCING,
    });
    this.#byId.set(full.id, full);
    const key = groupKey(full.workspace, full.serviceId);
    let group = this.#groups.get(key);
    if (!group) {
      group = { workspace: full.workspace, serviceId: full.serviceId, instances: [], version: 0, strategyState: new Map() };
      this.#groups.set(key, group);
    }
    // Sequence numbers only grow: appending keeps the group in registration order.
    group.instances.push(full);
    group.version++;
    let services = this.#byPeer.get(full.peerId);
    if (!services) {
      services = new Map();
      this.#byPeer.set(full.peerId, services);
    }
    services.set(full.serviceId, full);
    return { record: full, replaced };
  }

  /**
   * Something about `record` that decides whether it takes calls changed (it started draining):
   * its group's version moves, so balanced targets rebuild their candidates.
   */
  touch(record: ServiceRecord): void {
    const group = this.#groups.get(groupKey(record.workspace, record.serviceId));
    if (group?.instances.includes(record)) group.version++;
  }

  /** Removes a service by full id. */
  unregister(id: string): ServiceRecord | undefined {
    const record = this.#byId.get(id);
    if (record) this.#remove(record);
    return record;
  }

  /** Removes every service of a peer, returning them (oldest first). */
  removePeer(peerId: string): ServiceRecord[] {
    const records = this.forPeer(peerId);
    for (const record of records) this.#remove(record);
    return records;
  }

  /** A service by full id. */
  get(id: string): ServiceRecord | undefined {
    return this.#byId.get(id);
  }

  /** The instance of service `serviceId` that peer `peerId` provides, if any. */
  instance(peerId: string, serviceId: string): ServiceRecord | undefined {
    return this.#byPeer.get(peerId)?.get(serviceId);
  }

  /** The group of a service name in a workspace, while it has instances. */
  group(workspace: string, serviceId: string): ServiceGroup | undefined {
    return this.#groups.get(groupKey(workspace, serviceId));
  }

  /** How many services a peer has registered. */
  countForPeer(peerId: string): number {
    return this.#byPeer.get(peerId)?.size ?? 0;
  }

  /** Services of one peer, oldest first. */
  forPeer(peerId: string): ServiceRecord[] {
    return [...(this.#byPeer.get(peerId)?.values() ?? [])].sort(bySeq);
  }

  /**
   * The instances a query names, oldest registration first. `address.clientId` `*` matches any
   * client; an `appId` other than `*` must match.
   */
  find(address: ServiceAddress): ServiceRecord[] {
    const group = this.#groups.get(groupKey(address.workspace, address.serviceId));
    if (!group) return [];
    const out: ServiceRecord[] = [];
    for (const record of group.instances) {
      if (address.clientId !== '*' && record.clientId !== address.clientId) continue;
      if (address.appId && address.appId !== '*' && record.appId !== address.appId) continue;
      out.push(record);
    }
    return out;
  }

  /** Parses `query` relative to `workspace` and finds its instances. */
  query(query: string, workspace: string): ServiceRecord[] {
    return this.find(parseServiceQuery(query, workspace));
  }

  /** Every service matching `filter`, oldest first. */
  list(filter: ListFilter = {}): ServiceRecord[] {
    const out: ServiceRecord[] = [];
    for (const record of this.#byId.values()) {
      if (!matches(filter.workspace, record.workspace)) continue;
      if (!matches(filter.clientId, record.clientId)) continue;
      if (!matches(filter.serviceId, record.serviceId)) continue;
      if (!matches(filter.visibility, record.visibility)) continue;
      if (!matches(filter.appId, record.appId)) continue;
      if (!matches(filter.type, String(record.info.type ?? 'generic'))) continue;
      out.push(record);
    }
    return out.sort(bySeq);
  }

  #remove(record: ServiceRecord): void {
    this.#byId.delete(record.id);
    this.onRemoved?.(record);
    const key = groupKey(record.workspace, record.serviceId);
    const group = this.#groups.get(key);
    if (group) {
      const index = group.instances.indexOf(record);
      if (index >= 0) group.instances.splice(index, 1);
      group.version++;
      if (group.instances.length === 0) this.#groups.delete(key);
    }
    const services = this.#byPeer.get(record.peerId);
    if (services?.get(record.serviceId) === record) {
      services.delete(record.serviceId);
      if (services.size === 0) this.#byPeer.delete(record.peerId);
    }
  }
}

function groupKey(workspace: string, serviceId: string): string {
  return `${workspace}/${serviceId}`;
}

function matches(pattern: string | undefined, value: string): boolean {
  return pattern === undefined || pattern === '*' || pattern === value;
}

function bySeq(a: ServiceRecord, b: ServiceRecord): number {
  return a.seq - b.seq;
}
