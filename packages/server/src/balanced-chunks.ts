/**
 * Large messages and `balance:` proxies. A message over the chunk threshold (256 KiB) travels as
 * calls to the receiver's `built-in.message_cache`: `create`, one `set` (or `append`) per chunk,
 * then `process`, which makes the receiver run the joined message as if it had come whole. The
 * call it carries must then be answered in the name of the address the caller used, as for any
 * call through a virtual target: hypha-rpc (and the SDK) accept a session's answer only from the
 * peer the call went to. Three paths:
 *
 * 1. **Chunks sent to the virtual target** (the SDK sends them to the address it calls): the
 *    `create` of a message key picks an instance, and every later chunk call with that key goes
 *    to the same one (a relay, below).
 * 2. **Chunks sent to an instance** (hypha-rpc first asks the virtual target for its `built-in`
 *    service, which one instance describes with its own address): they already stick to it.
 *
 *    In both, the first chunk starts with the header of the carried call. When its `to` is a
 *    virtual target of the sender, the carried call is recorded in flight through that target as
 *    `process` goes out, so its answer, heartbeats and callbacks go back in the target's name.
 * 3. **A large answer** from an instance to a caller that called it through a virtual target:
 *    its chunk calls go out in the target's name (their key is the caller's session), and
 *    `process` ends the call's in-flight entry.
 *
 * Relays are bounded per caller ({@link MAX_RELAYS_PER_CALLER}, the receivers' own bound on
 * messages being reassembled per sender) and dropped when their message is processed or removed,
 * when the caller or the instance leaves, and after {@link RELAY_IDLE_MS} without a chunk.
 */
import {
  CACHED_MESSAGE_TTL_MS,
  decodeBody,
  decodeHead,
  MAX_CACHED_MESSAGES_PER_SENDER,
  resolvePeerId,
  type ErrorCode,
} from '@mycel/protocol';
import type { ClientConnection } from './connection.js';
import type { InFlightTable } from './in-flight.js';
import type { ServiceRecord } from './registry.js';
import type { TargetResolver } from './resolve-target.js';
import type { VirtualTarget, VirtualTargets } from './virtual-targets.js';

/** Methods of a receiver's chunk cache. */
export const CHUNK_METHOD_PREFIX = 'services.built-in.message_cache.';
/** Most chunked messages one caller may have on their way through virtual targets. */
export const MAX_RELAYS_PER_CALLER = MAX_CACHED_MESSAGES_PER_SENDER;
/** A relay without a chunk for this long is dropped (as receivers drop the message). */
export const RELAY_IDLE_MS = CACHED_MESSAGE_TTL_MS;

/** One chunked message on its way to one instance. */
interface Relay {
  readonly caller: string;
  /** The address the chunks are sent to (the virtual target, or the instance itself). */
  readonly addressedTo: string;
  readonly key: string;
  /** The instance that reassembles it. */
  readonly instancePeer: string;
  /** The virtual target the carried call goes through, once known. */
  replyAs: string | undefined;
  /** The carried call, read from the first chunk. */
  call: { session: string; method: string } | undefined;
  sawFirstChunk: boolean;
  touchedAt: number;
}

/** What chunk routing needs from the hub's router. */
export interface ChunkRoutingHost {
  virtualTarget(peerId: string): VirtualTarget | undefined;
  /** Whether `caller` holds virtual targets (otherwise its chunks need no look). */
  ownsVirtualTargets(caller: string): boolean;
  /** Whether some call to `callee` came through a virtual target (otherwise its chunks need no look). */
  hasVirtualCalls(callee: ClientConnection): boolean;
  /** The virtual address `caller` called `callee` through in `session`, if it did. */
  replyAsForSession(callee: ClientConnection, caller: string, session: string): string | undefined;
  /** `callee` answered `caller`'s `session` (inside a chunked message). */
  answered(callee: ClientConnection, caller: string, session: string): void;
  /**
   * Records the carried call `session` from `sender` as in flight to `callee`, answered as
   * `replyAs`. Returns whether it was admitted (when not, the caller has been told why).
   */
  admit(sender: ClientConnection, callee: ClientConnection, session: string, method: string, replyAs: string): boolean;
  /** Remembers that `instancePeer` called the owner of `virtualPeerId` back in `session`. */
  noteCallback(virtualPeerId: string, session: string, instancePeer: string): void;
}

/** The router's parts a {@link ChunkRoutingHost} is made of. */
export interface ChunkHostParts {
  inFlight: InFlightTable<ClientConnection>;
  targets: TargetResolver<ClientConnection>;
  virtualTargets: VirtualTargets | undefined;
  noteCallback(virtualPeerId: string, session: string, instancePeer: string): void;
  rejectCall(caller: string, callee: string, session: string, code: ErrorCode, message: string): void;
  /** An instance's slot may have freed up. */
  drain(): void;
}

/** The chunk routing host of a router. */
export function createChunkHost(parts: ChunkHostParts): ChunkRoutingHost {
  const { inFlight, targets, virtualTargets } = parts;
  return {
    virtualTarget: (peerId) => targets.virtualTarget(peerId),
    ownsVirtualTargets: (caller) => virtualTargets?.hasOwner(caller) ?? false,
    hasVirtualCalls: (callee) => inFlight.hasVirtualCalls(callee),
    replyAsForSession: (callee, caller, session) => inFlight.replyAsForSession(callee, caller, session),
    answered: (callee, caller, session) => {
      if (inFlight.answered(callee, caller, session, false)?.instance) parts.drain();
    },
    admit: (sender, callee, session, method, replyAs) => {
      const instance = targets.instanceOf(callee, method);
      const refusal = inFlight.admit(callee, sender.peerId, session, instance?.state, replyAs);
      if (refusal === undefined) return true;
      parts.rejectCall(sender.peerId, replyAs, session, 'LIMIT_EXCEEDED', `peer "${replyAs}" has too many calls in flight (${refusal} limit)`);
      return false;
    },
    noteCallback: (virtualPeerId, session, instancePeer) => parts.noteCallback(virtualPeerId, session, instancePeer),
  };
}

/** Where a chunk call to a virtual target goes, or why it cannot. */
export type ChunkRoute = { to: string } | { code: ErrorCode; message: string };

/** The chunked messages going through virtual targets. */
export class ChunkRelays {
  readonly #relays = new Map<string, Relay>();
  readonly #perCaller = new Map<string, number>();
  readonly #now: () => number;

  /** @param now the clock of idle relays, ms */
  constructor(now: () => number = Date.now) {
    this.#now = now;
  }

  /** How many chunked messages are on their way. */
  get size(): number {
    return this.#relays.size;
  }

  /**
   * Where chunk call `head.method` from `sender` to `virtual` goes (path 1). `pick` chooses an
   * instance for a new message. Also runs, for `process`, the admission of the carried call.
   */
  routeViaVirtual(
    host: ChunkRoutingHost,
    sender: ClientConnection,
    method: string,
    frame: Uint8Array,
    restOffset: number,
    virtual: VirtualTarget,
    pick: () => ServiceRecord | undefined,
    clients: ReadonlyMap<string, ClientConnection>,
  ): ChunkRoute {
    if (!method.startsWith(CHUNK_METHOD_PREFIX)) {
      // `get_service("built-in")`, `ping`: any instance answers; hypha-rpc then sends its
      // chunks to the one that described itself.
      const record = pick();
      return record ? { to: record.peerId } : { code: 'SERVICE_NOT_FOUND', message: `no instance of service "${virtual.query}" is available` };
    }
    const op = method.slice(CHUNK_METHOD_PREFIX.length);
    const args = readArgs(frame, restOffset);
    const key = messageKey(args);
    if (key === undefined) return { code: 'BAD_MESSAGE', message: 'a chunk call needs a message key' };
    // The chunks of an answer the caller owes an instance's callback go to that instance.
    const owner = virtual.callbacks.get(key);
    if (owner !== undefined) {
      if (op === 'process' || op === 'remove') virtual.callbacks.delete(key);
      return { to: owner };
    }
    let relay = this.#get(sender.peerId, virtual.peerId, key);
    if (op === 'create' && !relay) {
      const record = pick();
      if (!record) return { code: 'SERVICE_NOT_FOUND', message: `no instance of service "${virtual.query}" is available` };
      const opened = this.#open(sender.peerId, virtual.peerId, key, record.peerId, virtual.peerId);
      if (typeof opened === 'string') return { code: 'LIMIT_EXCEEDED', message: opened };
      relay = opened;
    }
    if (!relay) {
      return {
        code: 'METHOD_NOT_FOUND',
        message: `chunked message "${key}" through balanced service "${virtual.query}" is unknown: it was not created, its instance left, or it was idle for over ${RELAY_IDLE_MS / 1000}s`,
      };
    }
    const callee = clients.get(relay.instancePeer);
    if (!callee?.isOpen) {
      this.#close(relay);
      return { code: 'CONNECTION_CLOSED', message: `instance "${relay.instancePeer}" receiving chunked message "${key}" left` };
    }
    if (!this.#step(host, relay, op, args, sender, callee)) {
      return { code: 'LIMIT_EXCEEDED', message: `the call carried by chunked message "${key}" was refused` };
    }
    return { to: relay.instancePeer };
  }

  /**
   * Looks at a chunk call from `sender` to the client `callee` (paths 2 and 3); rewrites
   * `head.from` when it belongs to a call made through a virtual target. Returns false when the
   * frame must not go on (the sender has been told why).
   */
  routeDirect(host: ChunkRoutingHost, sender: ClientConnection, callee: ClientConnection, head: Record<string, unknown>, frame: Uint8Array, restOffset: number): boolean {
    const isCaller = host.ownsVirtualTargets(sender.peerId);
    const isInstance = host.hasVirtualCalls(sender);
    if (!isCaller && !isInstance) return true;
    const method = String(head.method);
    const op = method.slice(CHUNK_METHOD_PREFIX.length);
    const args = readArgs(frame, restOffset);
    const key = messageKey(args);
    if (key === undefined) return true;
    if (isInstance) {
      // Path 3: the chunks of an answer to a call that came through a virtual target.
      const replyAs = host.replyAsForSession(sender, callee.peerId, key);
      if (replyAs !== undefined) {
        head.from = replyAs;
        if (typeof head.session === 'string') host.noteCallback(replyAs, head.session, sender.peerId);
        if (op === 'process') host.answered(sender, callee.peerId, key);
        return true;
      }
    }
    if (!isCaller) return true;
    let relay = this.#get(sender.peerId, callee.peerId, key);
    if (op === 'create') {
      // A new message under a key used before starts afresh.
      if (relay) this.#close(relay);
      return true;
    }
    if (!relay) {
      const carried = firstChunkCall(op, args, false);
      if (!carried) return true;
      const virtual = host.virtualTarget(resolvePeerId(carried.to, sender.workspace));
      if (!virtual || virtual.owner !== sender.peerId) return true;
      const opened = this.#open(sender.peerId, callee.peerId, key, callee.peerId, virtual.peerId);
      if (typeof opened === 'string') return true;
      relay = opened;
    }
    return this.#step(host, relay, op, args, sender, callee);
  }

  /** `caller` left: its messages on their way are forgotten. */
  forgetCaller(caller: string): void {
    if (!this.#perCaller.has(caller)) return;
    for (const relay of [...this.#relays.values()]) if (relay.caller === caller) this.#close(relay);
  }

  /** `instancePeer` left: the messages it was reassembling are forgotten (later chunks are refused). */
  forgetInstance(instancePeer: string): void {
    if (this.#relays.size === 0) return;
    for (const relay of [...this.#relays.values()]) if (relay.instancePeer === instancePeer) this.#close(relay);
  }

  /** Reads the carried call from the first chunk; on `process`, admits it; ends the relay with its message. */
  #step(host: ChunkRoutingHost, relay: Relay, op: string, args: unknown[], sender: ClientConnection, callee: ClientConnection): boolean {
    if (!relay.sawFirstChunk) {
      const carried = firstChunkCall(op, args, relay.sawFirstChunk);
      if (carried) {
        relay.sawFirstChunk = true;
        relay.call = carried;
        if (relay.replyAs === undefined) {
          const virtual = host.virtualTarget(resolvePeerId(carried.to, sender.workspace));
          if (virtual?.owner === sender.peerId) relay.replyAs = virtual.peerId;
        }
      }
    }
    if (op === 'remove') this.#close(relay);
    if (op !== 'process') return true;
    this.#close(relay);
    const { call, replyAs } = relay;
    if (!call || replyAs === undefined) return true;
    return host.admit(sender, callee, call.session, call.method, replyAs);
  }

  #get(caller: string, addressedTo: string, key: string): Relay | undefined {
    const id = relayId(caller, addressedTo, key);
    const relay = this.#relays.get(id);
    if (!relay) return undefined;
    const now = this.#now();
    if (now - relay.touchedAt >= RELAY_IDLE_MS) {
      this.#close(relay);
      return undefined;
    }
    relay.touchedAt = now;
    // Kept in order of last use: the idlest are at the front.
    this.#relays.delete(id);
    this.#relays.set(id, relay);
    return relay;
  }

  #open(caller: string, addressedTo: string, key: string, instancePeer: string, replyAs: string | undefined): Relay | string {
    const now = this.#now();
    for (const relay of this.#relays.values()) {
      if (now - relay.touchedAt < RELAY_IDLE_MS) break;
      this.#close(relay);
    }
    const count = this.#perCaller.get(caller) ?? 0;
    if (count >= MAX_RELAYS_PER_CALLER) {
      return `too many chunked messages from "${caller}" on their way through balanced services (limit ${MAX_RELAYS_PER_CALLER})`;
    }
    const relay: Relay = { caller, addressedTo, key, instancePeer, replyAs, call: undefined, sawFirstChunk: false, touchedAt: now };
    this.#relays.set(relayId(caller, addressedTo, key), relay);
    this.#perCaller.set(caller, count + 1);
    return relay;
  }

  #close(relay: Relay): void {
    if (!this.#relays.delete(relayId(relay.caller, relay.addressedTo, relay.key))) return;
    const left = (this.#perCaller.get(relay.caller) ?? 1) - 1;
    if (left > 0) this.#perCaller.set(relay.caller, left);
    else this.#perCaller.delete(relay.caller);
  }
}

function relayId(caller: string, addressedTo: string, key: string): string {
  return `${caller}\n${addressedTo}\n${key}`;
}

/** The positional arguments of a chunk call (the router has checked the body already). */
function readArgs(frame: Uint8Array, restOffset: number): unknown[] {
  try {
    const body = decodeBody(frame, restOffset) as { args?: unknown } | undefined;
    return Array.isArray(body?.args) ? body.args : [];
  } catch {
    return [];
  }
}

function messageKey(args: unknown[]): string | undefined {
  const key = args[0];
  if (typeof key === 'string' && key.length > 0 && key.length <= 256) return key;
  if (typeof key === 'number' && Number.isFinite(key)) return String(key);
  return undefined;
}

/**
 * The header of the call a message carries, read from its first chunk (`set` at index 0, or the
 * first `append`), when it has one.
 */
function firstChunkCall(op: string, args: unknown[], sawFirst: boolean): { to: string; session: string; method: string } | undefined {
  let data: unknown;
  if (op === 'set' && args[1] === 0) data = args[2];
  else if (op === 'append' && !sawFirst) data = args[1];
  if (!(data instanceof Uint8Array)) return undefined;
  try {
    const { main } = decodeHead(data);
    const { to, session, method } = (main ?? {}) as Record<string, unknown>;
    if (typeof to !== 'string' || typeof session !== 'string' || typeof method !== 'string') return undefined;
    return { to, session, method };
  } catch {
    return undefined;
  }
}
