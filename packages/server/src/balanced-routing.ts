/**
 * Calls through virtual targets (`balance:` proxies), and calls that wait for capacity. A service
 * call to a virtual target goes to the instance its strategy picks now; an answer the caller
 * owes an instance's callback goes to that instance; anything else is refused. When every
 * instance that may serve is at its `max_concurrency`, the call waits in the hub's bounded queue
 * (`call-queue.ts`), as does a call to one named instance that is full; with no instance at all
 * it fails at once with `SERVICE_NOT_FOUND`.
 */
import { unpackValue, type ErrorCode } from '@mycel/protocol';
import type { Logger } from 'pino';
import { ALL_BUSY, NO_INSTANCE, type PickOutcome } from './balanced-pick.js';
import type { ChunkRelays, ChunkRoutingHost } from './balanced-chunks.js';
import { CallQueue, type CallQueueLimits, type TryOutcome, type Waiting } from './call-queue.js';
import type { ClientConnection } from './connection.js';
import { drainingMessage } from './health/draining.js';
import type { ServiceRecord } from './registry.js';
import type { TargetResolver } from './resolve-target.js';
import type { Router } from './router.js';
import { noteCallbackSession, type VirtualTarget } from './virtual-targets.js';

/** The header field in which a call names its own affinity key (`balance:hash`). */
export const BALANCE_KEY_FIELD = 'balance_key';
/** Longest per-call key accepted. */
const MAX_CALL_KEY_LENGTH = 256;
/** The part of its caller's timeout a call may spend waiting for capacity. */
export const QUEUE_SHARE_OF_CALLER_TIMEOUT = 0.8;
/** Built-in calls (chunked messages) name no service of the target. */
const BUILT_IN_PREFIX = 'services.built-in.';

/** What balanced routing needs from the router: delivering, routing on, and answering in a peer's name. */
export type RouterCore = Pick<Router, 'deliver' | 'routeTo' | 'rejectCall'>;

/** Options of {@link BalancedRouting}. */
export interface BalancedRoutingOptions {
  router: RouterCore;
  targets: TargetResolver<ClientConnection>;
  clients: ReadonlyMap<string, ClientConnection>;
  queue: CallQueueLimits;
  /** How long a call may wait when its caller does not say when it gives up (no `t`). */
  defaultWaitMs: number;
  /** Longest a call may wait, whatever its caller says. */
  maxWaitMs: number;
  logger: Logger;
  /** The chunked messages on their way through virtual targets. */
  chunks: ChunkRelays;
  chunkHost: ChunkRoutingHost;
}

/** How a call that waits was addressed. */
export interface WaitingFor {
  /** The address the caller used (a virtual target's, or the instance's own). */
  calledAs: string;
  session: string | undefined;
  /** The virtual target it goes through, if any. */
  virtual?: VirtualTarget | undefined;
  /** The one instance it names (a call to a peer's own address). */
  instance?: ServiceRecord | undefined;
  /** Its own affinity key, if it gave one. */
  key?: string | undefined;
  withUser: boolean;
}

interface WaitingCall extends Waiting, WaitingFor {
  readonly sender: ClientConnection;
  readonly head: Record<string, unknown>;
  readonly frame: Uint8Array;
  readonly restOffset: number;
}

/** Routes calls through virtual targets and keeps the calls that wait for capacity. */
export class BalancedRouting {
  readonly #router: RouterCore;
  readonly #targets: TargetResolver<ClientConnection>;
  readonly #clients: ReadonlyMap<string, ClientConnection>;
  readonly #queue: CallQueue<WaitingCall>;
  readonly #defaultWaitMs: number;
  readonly #maxWaitMs: number;
  readonly #log: Logger;
  readonly #chunks: ChunkRelays;
  readonly #chunkHost: ChunkRoutingHost;

  constructor(options: BalancedRoutingOptions) {
    this.#chunks = options.chunks;
    this.#chunkHost = options.chunkHost;
    this.#router = options.router;
    this.#targets = options.targets;
    this.#clients = options.clients;
    this.#defaultWaitMs = options.defaultWaitMs;
    this.#maxWaitMs = options.maxWaitMs;
    this.#log = options.logger;
    this.#queue = new CallQueue<WaitingCall>(options.queue, {
      attempt: (call) => this.#attempt(call),
      expire: (call, waitedMs) => {
        const name = call.virtual ? `service "${call.virtual.query}"` : `service instance "${call.instance?.id ?? call.calledAs}"`;
        this.#fail(call, 'LIMIT_EXCEEDED', `every instance of ${name} is at its max_concurrency; the call waited ${waitedMs}ms`);
      },
    });
  }

  /** How many calls wait for capacity. */
  get waiting(): number {
    return this.#queue.size;
  }

  /** Routes a frame `sender` addressed to the virtual target `virtual`. */
  route(
    sender: ClientConnection,
    head: Record<string, unknown>,
    frame: Uint8Array,
    restOffset: number,
    virtual: VirtualTarget,
    session: string | undefined,
    withUser: boolean,
  ): void {
    if (sender.peerId !== virtual.owner) {
      this.#reject(sender, virtual, session, 'PERMISSION_DENIED', `balanced service "${virtual.peerId}" belongs to another client`);
      return;
    }
    const method = head.method;
    if (typeof method !== 'string') {
      this.#reject(sender, virtual, session, 'BAD_MESSAGE', 'a call needs a "method"');
      return;
    }
    if (method.startsWith(virtual.methodPrefix)) {
      let key: string | undefined;
      if (BALANCE_KEY_FIELD in head) {
        const given = head[BALANCE_KEY_FIELD];
        // The instance has no use for it: only a header that has the key loses it.
        delete head[BALANCE_KEY_FIELD];
        if (typeof given === 'number' && Number.isFinite(given)) key = String(given);
        else if (typeof given === 'string' && given.length <= MAX_CALL_KEY_LENGTH) key = given;
        else if (given != null) {
          this.#reject(sender, virtual, session, 'BAD_MESSAGE', `"${BALANCE_KEY_FIELD}" must be a string of at most ${MAX_CALL_KEY_LENGTH} characters`);
          return;
        }
      }
      const outcome = this.#targets.pick(virtual, key, Date.now());
      if (outcome === ALL_BUSY) this.wait(sender, head, frame, restOffset, { calledAs: virtual.peerId, session, virtual, key, withUser });
      else if (outcome === NO_INSTANCE) this.#reject(sender, virtual, session, 'SERVICE_NOT_FOUND', noInstance(virtual));
      else {
        this.#targets.noteServed(virtual, outcome.peerId);
        this.#send(sender, head, frame, restOffset, virtual.peerId, session, withUser, outcome);
      }
      return;
    }
    if (method.startsWith(BUILT_IN_PREFIX)) {
      this.#routeBuiltIn(sender, head, frame, restOffset, virtual, session, withUser, method);
      return;
    }
    // An answer (or a call) into a session an instance opened by calling the caller back.
    const dot = method.indexOf('.');
    const sessionId = dot > 0 ? method.slice(0, dot) : method;
    const instancePeer = virtual.callbacks.get(sessionId);
    if (instancePeer === undefined) {
      this.#reject(sender, virtual, session, 'METHOD_NOT_FOUND', `"${method}" is not a function of balanced service "${virtual.query}"`);
      return;
    }
    if (method.endsWith('.resolve') || method.endsWith('.reject')) virtual.callbacks.delete(sessionId);
    this.#router.routeTo(sender, head, frame, restOffset, instancePeer, withUser);
  }

  /**
   * A call to the `built-in` service of a virtual target: chunks of a large message stick to the
   * instance their message's `create` picked (`balanced-chunks.ts`); other built-in calls go to
   * any instance.
   */
  #routeBuiltIn(
    sender: ClientConnection,
    head: Record<string, unknown>,
    frame: Uint8Array,
    restOffset: number,
    virtual: VirtualTarget,
    session: string | undefined,
    withUser: boolean,
    method: string,
  ): void {
    const pick = (): ServiceRecord | undefined => {
      const outcome = this.#targets.pick(virtual, undefined, Date.now());
      if (outcome !== ALL_BUSY) return outcome === NO_INSTANCE ? undefined : outcome;
      // Chunk calls take no capacity (the call they carry is counted when it is processed):
      // with every instance full, the least loaded takes the message.
      let least: ServiceRecord | undefined;
      for (const record of virtual.serving) if (!least || record.state.inFlight < least.state.inFlight) least = record;
      return least;
    };
    const route = this.#chunks.routeViaVirtual(this.#chunkHost, sender, method, frame, restOffset, virtual, pick, this.#clients);
    if ('code' in route) {
      this.#reject(sender, virtual, session, route.code, route.message);
      return;
    }
    const callee = this.#clients.get(route.to);
    if (!callee?.isOpen) {
      this.#reject(sender, virtual, session, 'CONNECTION_CLOSED', `peer "${route.to}" is not connected`);
      return;
    }
    this.#router.deliver(sender, head, frame, restOffset, callee, virtual.peerId, session, undefined, withUser);
  }

  /** Remembers that an instance called the caller of `virtualPeerId` back in `session`. */
  noteCallback(virtualPeerId: string, session: string, instancePeer: string): void {
    const virtual = this.#targets.virtualTarget(virtualPeerId);
    if (virtual) noteCallbackSession(virtual, session, instancePeer);
  }

  /**
   * Queues a call until an instance has capacity, for at most its caller's timeout (read from
   * the call's `t`, the heartbeat interval, which is half of it); refuses it with
   * `LIMIT_EXCEEDED` when its caller already has the most calls waiting.
   */
  wait(sender: ClientConnection, head: Record<string, unknown>, frame: Uint8Array, restOffset: number, call: WaitingFor): void {
    const waiting: WaitingCall = Object.assign(
      { caller: sender.peerId, waitsFor: (call.virtual ?? call.instance) as object, bytes: frame.length, sender, head, frame, restOffset },
      call,
    );
    if (this.#queue.enqueue(waiting, this.#waitMs(frame, restOffset))) return;
    const { maxCallsPerCaller, maxBytesPerCaller } = this.#queue.limits;
    this.#fail(
      waiting,
      'LIMIT_EXCEEDED',
      `too many calls from "${sender.peerId}" wait for a free instance (limit ${maxCallsPerCaller} calls, ${maxBytesPerCaller} bytes)`,
    );
  }

  /** Capacity may have freed up: waiting calls that can go now go. */
  drain(): void {
    this.#queue.drain();
  }

  /** `caller` left: its waiting calls are dropped. */
  forgetCaller(caller: string): void {
    this.#queue.dropCaller(caller);
  }

  #attempt(call: WaitingCall): TryOutcome {
    if (!call.sender.isOpen) return 'failed';
    const { virtual, instance } = call;
    if (virtual) {
      const outcome: PickOutcome = this.#targets.pick(virtual, call.key, Date.now());
      if (outcome === ALL_BUSY) return 'wait';
      if (outcome === NO_INSTANCE) {
        this.#fail(call, 'SERVICE_NOT_FOUND', noInstance(virtual));
        return 'failed';
      }
      this.#targets.noteServed(virtual, outcome.peerId);
      this.#send(call.sender, call.head, call.frame, call.restOffset, call.calledAs, call.session, call.withUser, outcome);
      return 'sent';
    }
    if (!instance || !this.#targets.isRegistered(instance)) {
      this.#fail(call, 'CONNECTION_CLOSED', `service instance "${instance?.id ?? call.calledAs}" is gone`);
      return 'failed';
    }
    if (instance.state.draining) {
      this.#fail(call, 'DRAINING', drainingMessage(instance.id));
      return 'failed';
    }
    if (instance.state.inFlight >= instance.balancing.maxConcurrency) return 'wait';
    this.#send(call.sender, call.head, call.frame, call.restOffset, call.calledAs, call.session, call.withUser, instance);
    return 'sent';
  }

  #send(
    sender: ClientConnection,
    head: Record<string, unknown>,
    frame: Uint8Array,
    restOffset: number,
    calledAs: string,
    session: string | undefined,
    withUser: boolean,
    instance: ServiceRecord,
  ): void {
    const callee = this.#clients.get(instance.peerId);
    if (!callee?.isOpen) {
      if (session !== undefined) {
        this.#router.rejectCall(sender.peerId, calledAs, session, 'CONNECTION_CLOSED', `peer "${instance.peerId}" is not connected`);
      }
      return;
    }
    this.#router.deliver(sender, head, frame, restOffset, callee, calledAs, session, instance, withUser);
  }

  #reject(sender: ClientConnection, virtual: VirtualTarget, session: string | undefined, code: ErrorCode, message: string): void {
    if (session !== undefined) this.#router.rejectCall(sender.peerId, virtual.peerId, session, code, message);
    else this.#log.debug({ client: sender.peerId, target: virtual.peerId, reason: message }, 'dropped message to balanced service');
  }

  #fail(call: WaitingCall, code: ErrorCode, message: string): void {
    if (call.session !== undefined) this.#router.rejectCall(call.caller, call.calledAs, call.session, code, message);
    else this.#log.debug({ client: call.caller, target: call.calledAs, reason: message }, 'dropped waiting message');
  }

  #waitMs(frame: Uint8Array, restOffset: number): number {
    let t: unknown;
    try {
      // Only calls that must wait pay for reading the body.
      const body = unpackValue(frame.subarray(restOffset)) as { t?: unknown } | null;
      t = body?.t;
    } catch {
      t = undefined;
    }
    const callerMs = typeof t === 'number' && t > 0 ? t * 2000 : this.#defaultWaitMs;
    // Well before the caller's own timer fires (it started earlier, on another clock), so that
    // it hears why.
    return Math.min(callerMs * QUEUE_SHARE_OF_CALLER_TIMEOUT, this.#maxWaitMs);
  }
}

function noInstance(virtual: VirtualTarget): string {
  const filter = virtual.match.length > 0 ? ` matching ${JSON.stringify(Object.fromEntries(virtual.match))}` : '';
  return `no instance of service "${virtual.query}"${filter} is available (mode "${virtual.mode}")`;
}
