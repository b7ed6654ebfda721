/**
 * The router: per binary frame, decode only the header, stamp `from`/`to`/`ws`/`user`, re-pack
 * the header and append the body bytes untouched, then deliver to one client, to the in-process
 * manager, or (events, `broadcast.ts`) to the workspace's subscribers. It never decodes call
 * arguments. Calls that cannot go on are answered with a synthetic reject (`call-rejects.ts`).
 *
 * The peer a frame goes to comes from one place, `resolve-target.ts`. The calls in flight
 * (`in-flight.ts`) are kept per callee, so that when a callee goes away every caller waiting on
 * it is rejected at once instead of waiting for its timeout, and each answer updates the live
 * state of the instance that gave it.
 */
import {
  RESERVED_EVENT_TYPES,
  checkBody,
  decodeHead,
  frameHeadSchema,
  isFrameHead,
  mergeMessage,
  LONG_LIVED_PREFIX,
  MycelError,
  replaceHead,
  resolvePeerId,
  decodeBody,
  type DecodeBounds,
  type ErrorCode,
  type FrameMeta,
} from '@mycel/protocol';
import type { Logger } from 'pino';
import { Broadcaster } from './broadcast.js';
import { CallRejects, describeIssues } from './call-rejects.js';
import { noteChunkCall } from './chunk-senders.js';
import { CHUNK_METHOD_PREFIX, ChunkRelays, createChunkHost, type ChunkRoutingHost } from './balanced-chunks.js';
import type { ClientConnection } from './connection.js';
import { BalancedRouting } from './balanced-routing.js';
import type { CallQueueLimits } from './call-queue.js';
import { drainingMessage } from './health/draining.js';
import { InFlightTable, type InFlightEntry, type InFlightLimits } from './in-flight.js';
import type { Registry, ServiceRecord } from './registry.js';
import { TargetResolver } from './resolve-target.js';
import type { VirtualTargets } from './virtual-targets.js';

/** The in-process manager as the router sees it. */
export interface ManagerEndpoint {
  /** The manager address, `"*"` + `/manager-{hubId}`. */
  readonly peerId: string;
  /** Handles one message addressed to the manager (header and body merged). */
  handleMessage(message: Record<string, unknown>): void;
  /** What the manager decodes of one body; larger bodies are refused unread. */
  readonly decodeBounds: DecodeBounds;
}

/** Options of {@link Router}. */
export interface RouterOptions {
  clients: ReadonlyMap<string, ClientConnection>;
  /** Where calls to services find their instance's live state. */
  registry: Registry;
  logger: Logger;
  /** The in-process manager (its handler may be bound after the router is made: nothing is routed before). */
  manager: ManagerEndpoint;
  /** Limits of the calls in flight to each client. */
  inFlight: InFlightLimits;
  /** The `balance:` proxies' targets, resolved per call. */
  virtualTargets?: VirtualTargets;
  /** The chunked messages on their way through virtual targets. */
  chunkRelays?: ChunkRelays;
  /** Bounds of the calls that wait for an instance below its `max_concurrency`. */
  queue?: CallQueueLimits & {
    /** Wait of a call whose caller does not say when it gives up. */
    defaultWaitMs: number;
    /** Longest wait of any call. */
    maxWaitMs: number;
  };
}

/** Calls to a long-lived interface (`_rintf`, `long-lived.ts` in the protocol). */
const LONG_LIVED_METHOD_PREFIX = `services.${LONG_LIVED_PREFIX}`;

/** Queue bounds when the hub gives none (tests that build a router by hand). */
const DEFAULT_QUEUE = { maxCallsPerCaller: 1_000, maxBytesPerCaller: 16 * 1024 * 1024, defaultWaitMs: 30_000, maxWaitMs: 120_000 };

/** Routes frames between clients and the manager. */
export class Router {
  readonly #clients: ReadonlyMap<string, ClientConnection>;
  readonly #log: Logger;
  readonly #inFlight: InFlightTable<ClientConnection>;
  readonly #targets: TargetResolver<ClientConnection>;
  readonly #balanced: BalancedRouting;
  readonly #manager: ManagerEndpoint;
  readonly #rejects: CallRejects;
  readonly #broadcast: Broadcaster;
  readonly #chunks: ChunkRelays;
  readonly #chunkHost: ChunkRoutingHost;

  constructor(options: RouterOptions) {
    this.#chunks = options.chunkRelays ?? new ChunkRelays();
    this.#manager = options.manager;
    this.#clients = options.clients;
    this.#log = options.logger;
    this.#rejects = new CallRejects(options.clients, options.manager, options.logger);
    this.#broadcast = new Broadcaster(options.clients, options.manager.peerId, this.#rejects);
    this.#inFlight = new InFlightTable(options.inFlight);
    this.#targets = new TargetResolver(options.clients, options.registry, options.virtualTargets);
    const { defaultWaitMs, maxWaitMs, ...queue } = options.queue ?? DEFAULT_QUEUE;
    this.#chunkHost = createChunkHost({
      inFlight: this.#inFlight,
      targets: this.#targets,
      virtualTargets: options.virtualTargets,
      noteCallback: (virtual, session, instance) => this.#balanced.noteCallback(virtual, session, instance),
      rejectCall: (caller, callee, session, code, message) => this.rejectCall(caller, callee, session, code, message),
      drain: () => this.#balanced.drain(),
    });
    this.#balanced = new BalancedRouting({
      router: this,
      chunkHost: this.#chunkHost,
      chunks: this.#chunks,
      targets: this.#targets,
      clients: options.clients,
      queue,
      defaultWaitMs,
      maxWaitMs,
      logger: options.logger,
    });
  }

  /** Routes a binary frame a client sent. Never throws. */
  routeFromClient(sender: ClientConnection, frame: Uint8Array): void {
    try {
      this.#route(sender, frame);
    } catch (error) {
      // A bug, not bad input (that is refused above with its reason): whatever it was, it stays
      // with this frame and never reaches the socket's event handler.
      this.#log.error({ client: sender.peerId, err: String(error) }, 'routing failed');
    }
  }

  #route(sender: ClientConnection, frame: Uint8Array): void {
    let head: Record<string, unknown>;
    let restOffset: number;
    try {
      const decoded = decodeHead(frame);
      restOffset = decoded.restOffset;
      if (!isFrameHead(decoded.main)) {
        const parsed = frameHeadSchema.safeParse(decoded.main);
        this.#rejects.refuse(sender, decoded.main, 'BAD_MESSAGE', parsed.success ? 'invalid frame header' : describeIssues(parsed.error.issues));
        return;
      }
      head = decoded.main;
      try {
        // The body is forwarded untouched, so it must be well-formed: a bad one can wedge a client.
        checkBody(frame, restOffset);
      } catch (error) {
        this.#rejects.refuse(sender, head, 'BAD_MESSAGE', MycelError.from(error).message);
        return;
      }
    } catch (error) {
      const err = MycelError.from(error, 'BAD_MESSAGE');
      this.#log.warn({ client: sender.peerId, err: err.message }, 'malformed frame');
      return;
    }
    const to = head.to;
    if (typeof to !== 'string') {
      this.#rejects.refuse(sender, head, 'BAD_MESSAGE', 'frame has no "to"');
      return;
    }
    if (typeof head.type === 'string' && head.type !== 'method' && RESERVED_EVENT_TYPES.has(head.type)) {
      // Only the hub may send these: clients act on them (hypha-rpc rejects calls on
      // `client_disconnected`, for one).
      this.#rejects.refuse(sender, head, 'PERMISSION_DENIED', `event type "${head.type}" is reserved for the hub`);
      return;
    }
    const target = resolvePeerId(to, sender.workspace);
    head.from = sender.peerId;
    head.ws = sender.workspace;
    // The user goes with calls to services and with events, where receivers read it (the call
    // context); answers and callbacks do not need it, and it is most of a header's size.
    const withUser = head.type !== 'method' || (typeof head.method === 'string' && head.method.startsWith('services.'));
    // Only a header that has the key loses it: `delete` slows an object down.
    if ('user' in head) delete head.user;
    if (target.endsWith('/*')) {
      this.#broadcast.broadcastFrom(sender, head, frame, restOffset, target, withUser);
      return;
    }
    if (target === this.#manager.peerId) {
      head.to = target;
      if (withUser) head.user = sender.user;
      this.#toManager(sender, this.#manager, head, frame, restOffset);
      return;
    }
    this.routeTo(sender, head, frame, restOffset, target, withUser);
  }

  /**
   * Routes a stamped frame to the peer `target` (a full peer id, never the manager): a client, or
   * a virtual target that picks one.
   */
  routeTo(sender: ClientConnection, head: Record<string, unknown>, frame: Uint8Array, restOffset: number, target: string, withUser: boolean): void {
    head.to = target;
    const session = typeof head.session === 'string' ? head.session : undefined;
    const callee = this.#targets.resolve(target);
    if (!callee) {
      const virtual = this.#targets.virtualTarget(target);
      if (virtual) {
        this.#balanced.route(sender, head, frame, restOffset, virtual, session, withUser);
        return;
      }
    }
    // Chunks of a large message that belongs to a call through a virtual target (`balanced-chunks.ts`).
    if (callee && typeof head.method === 'string' && head.method.startsWith(CHUNK_METHOD_PREFIX)) {
      if (!this.#chunks.routeDirect(this.#chunkHost, sender, callee, head, frame, restOffset)) return;
    }
    let freed = false;
    if (!session) {
      // An answer ends its call's in-flight entry even when the caller left meanwhile; otherwise
      // the entry would stay, and enough of them would shut the callee off with LIMIT_EXCEEDED.
      const answered = this.#noteAnswer(sender, target, head.method);
      if (answered) {
        // A call to a virtual target is answered in that target's name.
        if (answered.replyAs !== undefined) head.from = answered.replyAs;
        freed = answered.instance !== undefined;
      } else {
        this.#speakForVirtual(sender, target, head, undefined);
      }
    } else {
      this.#speakForVirtual(sender, target, head, session);
    }
    if (!callee) {
      if (session) this.rejectCall(sender.peerId, target, session, 'CONNECTION_CLOSED', `peer "${target}" is not connected`);
      else this.#log.debug({ client: sender.peerId, target }, 'dropped message to unknown peer');
    } else if (session) {
      const instance = this.#targets.instanceOf(callee, head.method);
      if (instance?.state.draining) {
        this.rejectCall(sender.peerId, target, session, 'DRAINING', drainingMessage(instance.id));
      } else if (instance && instance.state.inFlight >= instance.balancing.maxConcurrency) {
        this.#balanced.wait(sender, head, frame, restOffset, { calledAs: target, session, instance, withUser });
      } else {
        this.deliver(sender, head, frame, restOffset, callee, target, session, instance, withUser);
      }
    } else {
      this.deliver(sender, head, frame, restOffset, callee, target, undefined, undefined, withUser);
    }
    if (freed) this.#balanced.drain();
  }

  /**
   * Sends a frame to `callee`; a call (with a `session`) is recorded in flight first (`calledAs`
   * is the address the caller used: the callee's own, or a virtual target's, in whose name the
   * answer goes back). A call the in-flight limits refuse is rejected with `LIMIT_EXCEEDED`.
   */
  deliver(
    sender: ClientConnection,
    head: Record<string, unknown>,
    frame: Uint8Array,
    restOffset: number,
    callee: ClientConnection,
    calledAs: string,
    session: string | undefined,
    instance: ServiceRecord | undefined,
    withUser: boolean,
  ): void {
    if (session !== undefined) {
      const replyAs = callee.peerId === calledAs ? undefined : calledAs;
      const refusal = this.#inFlight.admit(callee, sender.peerId, session, instance?.state, replyAs);
      if (refusal) {
        const { perCallee, perCaller } = this.#inFlight.limits;
        const held = this.#inFlight.heldBy(callee, sender.peerId);
        const message =
          refusal === 'callee'
            ? `peer "${calledAs}" has too many calls in flight (limit ${perCallee})`
            : refusal === 'caller'
              ? `too many calls in flight from "${sender.peerId}" to "${calledAs}" (limit ${perCaller})`
              : `too many calls in flight from "${sender.peerId}" to "${calledAs}" (its fair share while others hold calls too: ${held} of ${perCallee})`;
        this.rejectCall(sender.peerId, calledAs, session, 'LIMIT_EXCEEDED', message);
        return;
      }
    }
    head.to = callee.peerId;
    if (withUser) noteChunkCall(sender, callee, head.method);
    callee.send(replaceHead(head, frame, restOffset, withUser ? sender.userField : undefined));
  }

  /**
   * A frame from `sender` (an instance) to `target` that belongs to a call `target` made through
   * a virtual target (a heartbeat, a callback) goes out in that target's name; a callback that
   * waits for an answer is remembered, so the answer, sent to the virtual target, finds `sender`.
   */
  #speakForVirtual(sender: ClientConnection, target: string, head: Record<string, unknown>, session: string | undefined): void {
    const replyAs = this.#inFlight.replyAsFor(sender, target, head.method) ?? this.#longLivedAs(sender, target, head.method);
    if (replyAs === undefined) return;
    head.from = replyAs;
    if (session !== undefined) this.#balanced.noteCallback(replyAs, session, sender.peerId);
  }

  /**
   * A call from an instance to a long-lived interface (`_rintf`) of a client that called it
   * through a virtual target, which the interface answers in that target's name only (it was
   * given to the target): sent in the name of the target through which that client last called
   * the instance.
   */
  #longLivedAs(sender: ClientConnection, target: string, method: unknown): string | undefined {
    if (typeof method !== 'string' || !method.startsWith(LONG_LIVED_METHOD_PREFIX)) return undefined;
    return this.#targets.servedThrough(target, sender.peerId);
  }

  /**
   * Delivers a frame the manager produced. The manager stamps its own header (`from`, `ws`,
   * `user`), so the frame goes out as it is, without being decoded again.
   */
  deliverFromManager(frame: Uint8Array, meta: FrameMeta): void {
    const callee = this.#clients.get(meta.to);
    if (callee) {
      callee.send(frame);
      return;
    }
    if (meta.session) {
      this.rejectCall(this.#manager.peerId, meta.to, meta.session, 'CONNECTION_CLOSED', `peer "${meta.to}" is not connected`);
    }
  }

  /**
   * Sends an event from the hub to every client of `workspace` subscribed to `type`, and returns
   * how many copies went out (`broadcast.ts`).
   */
  broadcastEvent(workspace: string, type: string, data: unknown): number {
    return this.#broadcast.broadcastEvent(workspace, type, data);
  }

  /** Rejects, on each caller's side, every call still in flight to `callee` (which is gone). */
  rejectInFlight(callee: ClientConnection, reason: string): number {
    this.#chunks.forgetInstance(callee.peerId);
    const entries = this.#inFlight.drainCallee(callee);
    for (const { caller, session, replyAs } of entries) {
      this.rejectCall(caller, replyAs ?? callee.peerId, session, 'CONNECTION_CLOSED', reason);
    }
    // Waiting calls try again once the callee's services have left the registry
    // (`servicesChanged`), not now: they could be sent to it.
    return entries.length;
  }

  /** The services changed (an instance joined or left): calls waiting for capacity try again. */
  servicesChanged(): void {
    this.#balanced.drain();
  }

  /**
   * Resolves once no call routed to `callee` waits for its answer (true), or after `timeoutMs`
   * (false). A draining worker's services leave then.
   */
  whenIdle(callee: ClientConnection, timeoutMs: number): Promise<boolean> {
    return this.#inFlight.whenIdle(callee, timeoutMs);
  }

  /** How many calls routed to `callee` wait for its answer. */
  inFlightTo(callee: ClientConnection): number {
    return this.#inFlight.countFor(callee);
  }

  /**
   * Drops the in-flight entries of calls `caller` made: it is gone, their answers will be dropped,
   * and the callees' slots must not stay taken by them.
   */
  forgetCaller(caller: string): void {
    this.#inFlight.forgetCaller(caller);
    this.#balanced.forgetCaller(caller);
    this.#chunks.forgetCaller(caller);
  }

  /**
   * A reply (`{session}.resolve|reject`) from `callee` to `caller` ends that call's in-flight
   * entry; returns the entry, if the call was in flight.
   */
  #noteAnswer(callee: ClientConnection, caller: string, method: unknown): InFlightEntry | undefined {
    if (typeof method !== 'string') return undefined;
    const dot = method.lastIndexOf('.');
    if (dot < 0) return undefined;
    const suffix = method.slice(dot + 1);
    if (suffix !== 'resolve' && suffix !== 'reject') return undefined;
    return this.#inFlight.answered(callee, caller, method.slice(0, dot), suffix === 'reject');
  }

  #toManager(sender: ClientConnection, manager: ManagerEndpoint, head: Record<string, unknown>, frame: Uint8Array, restOffset: number): void {
    let message: Record<string, unknown> = head;
    if (restOffset < frame.length) {
      try {
        // Bounded before decoding: the manager decodes every body whole, on the hub's only thread.
        const extra = decodeBody(frame, restOffset, manager.decodeBounds);
        if (extra !== null && typeof extra === 'object' && !Array.isArray(extra)) {
          // The stamped header wins over anything the body says about `from`/`ws`/`user`.
          message = mergeMessage(head, extra);
        }
      } catch (error) {
        const err = MycelError.from(error, 'BAD_MESSAGE');
        this.#rejects.refuse(sender, head, err.code, err.message);
        return;
      }
    }
    manager.handleMessage(message);
  }

  /** Delivers a synthetic `{session}.reject` to `caller`, as if `callee` had sent it (`call-rejects.ts`). */
  rejectCall(caller: string, callee: string, session: string, code: ErrorCode, message: string): void {
    this.#rejects.rejectCall(caller, callee, session, code, message);
  }
}
