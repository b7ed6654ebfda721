/**
 * The service registry: plain data, no sockets. Services are keyed by full id
 * (`workspace/client:service`) and indexed by workspace + service id (for queries) and by peer
 * (for clean-up when a client leaves). Each record carries per-instance state for selection
 * (the last probe answer), the place where later balancing state goes.
 */
import { parseServiceQuery, type ServiceAddress } from '@mycel/protocol';

/** Who may see a service in listings. */
export type ServiceVisibility = 'protected' | 'public' | 'unlisted';

/** Per-instance state kept for selection and balancing. */
export interface InstanceStats {
  /** The last number this instance answered to a `select:` probe, with the hub time it came. */
  lastLoad: { value: number; at: number } | undefined;
}

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
  stats: InstanceStats;
}

/** A record as registration gives it; the registry adds `seq` and `stats`. */
export type NewServiceRecord = Omit<ServiceRecord, 'seq' | 'stats'>;

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
  readonly #byId = new Map<string, ServiceRecord>();
  readonly #byName = new Map<string, Map<string, ServiceRecord>>();
  readonly #byPeer = new Map<string, Map<string, ServiceRecord>>();
  #seq = 0;

  /** How many services are registered. */
  get size(): number {
    return this.#byId.size;
  }

  /**
   * Adds or replaces a service. A replacement keeps nothing of the old record but its place in
   * the indexes; it gets a new sequence number (it is a new registration).
   */
  register(record: NewServiceRecord): { record: ServiceRecord; replaced: ServiceRecord | undefined } {
    const replaced = this.#byId.get(record.id);
    if (replaced) this.#remove(replaced);
    const full: ServiceRecord = { ...record, seq: ++this.#seq, stats: { lastLoad: undefined } };
    this.#byId.set(full.id, full);
    indexAdd(this.#byName, nameKey(full.workspace, full.serviceId), full);
    indexAdd(this.#byPeer, full.peerId, full);
    return { record: full, replaced };
  }

  /** Removes a service by full id. */
  unregister(id: string): ServiceRecord | undefined {
    const record = this.#byId.get(id);
    if (record) this.#remove(record);
    return record;
  }

  /** Removes every service of a peer, returning them (oldest first). */
  removePeer(peerId: string): ServiceRecord[] {
    const records = [...(this.#byPeer.get(peerId)?.values() ?? [])];
    for (const record of records) this.#remove(record);
    return records.sort(bySeq);
  }

  /** A service by full id. */
  get(id: string): ServiceRecord | undefined {
    return this.#byId.get(id);
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
    const bucket = this.#byName.get(nameKey(address.workspace, address.serviceId));
    if (!bucket) return [];
    const out: ServiceRecord[] = [];
    for (const record of bucket.values()) {
      if (address.clientId !== '*' && record.clientId !== address.clientId) continue;
      if (address.appId && address.appId !== '*' && record.appId !== address.appId) continue;
      out.push(record);
    }
    return out.sort(bySeq);
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
    indexRemove(this.#byName, nameKey(record.workspace, record.serviceId), record.id);
    indexRemove(this.#byPeer, record.peerId, record.id);
  }
}

function nameKey(workspace: string, serviceId: string): string {
  return `${workspace}/${serviceId}`;
}

function matches(pattern: string | undefined, value: string): boolean {
  return pattern === undefined || pattern === '*' || pattern === value;
}

function bySeq(a: ServiceRecord, b: ServiceRecord): number {
  return a.seq - b.seq;
}

function indexAdd(index: Map<string, Map<string, ServiceRecord>>, key: string, record: ServiceRecord): void {
  let bucket = index.get(key);
  if (!bucket) {
    bucket = new Map();
    index.set(key, bucket);
  }
  bucket.set(record.id, record);
}

function indexRemove(index: Map<string, Map<string, ServiceRecord>>, key: string, id: string): void {
  const bucket = index.get(key);
  if (!bucket) return;
  bucket.delete(id);
  if (bucket.size === 0) index.delete(key);
}
