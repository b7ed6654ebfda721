/**
 * The RPC peer engine: one side of Hypha's RPC over any frame transport. Hub manager and SDK
 * client are both built on it.
 *
 * A call is a `type: "method"` message with a `session`; the callee answers by calling the
 * caller's `{session}.resolve` / `{session}.reject`, and keeps the caller's timer alive with
 * `{session}.heartbeat`. Functions inside arguments become callbacks scoped to the call's session
 * and are dropped when it settles. Local services are reached at `services.{id}.{path}`.
 */
import { createBuiltInService } from './built-in.js';
import { expandPromise, runCall, type RunContext } from './answer.js';
import { CallTable } from './call-table.js';
import { placeArguments } from './call-args.js';
import { DEFAULT_MAX_MESSAGE_BYTES } from './chunked-send.js';
import { systemClock, type Clock, type TimerHandle } from './clock.js';
import { decodeBody, decodeHead, mergeMessage } from './codec.js';
import { isMethodMessage, methodMessageSchema, type MethodMessage } from './envelope.js';
import { MycelError } from './errors.js';
import { splitPeerId } from './ids.js';
import { BUILT_IN_DECODE_BOUNDS, DEFAULT_LIMITS, DEFAULT_METHOD_TIMEOUT_MS, type DecodeBounds } from './limits.js';
import { accessDenied, describeMembers, LocalServices, serviceInfo, type ServiceDefinition } from './local-services.js';
import { isLongLivedId, LongLivedInterfaces } from './long-lived.js';
import { MessageCache } from './message-cache.js';
import { findMethodTarget } from './method-target.js';
import { Outgoing } from './outgoing.js';
import { normaliseDescriptor, PeerHooks } from './peer-hooks.js';
import { decodeValue, encodeValue, isPlain, type ValueHooks } from './values.js';

import type { CallContext, CallOptions, PeerLogger, PeerOptions } from './peer-options.js';

export type { ServiceConfig, ServiceDefinition, Visibility } from './local-services.js';
export type { CallContext, CallOptions, FrameMeta, PeerLogger, PeerOptions } from './peer-options.js';

/**
 * One RPC endpoint.
 *
 * @example
 * const peer = new RpcPeer({ workspace: 'public', clientId: 'w1', send: (f) => ws.send(f) });
 * peer.addService({ id: 'math', add: (a: number, b: number) => a + b });
 * ws.on('message', (data) => peer.handleFrame(data));
 */
export class RpcPeer {
  #workspace: string;
  #clientId: string;
  /** `workspace/clientId`, kept as one string (every frame's header carries it). */
  #peerId: string;
  /** Everything this peer sends (`outgoing.ts`). */
  readonly #out: Outgoing;
  readonly #clock: Clock;
  readonly #methodTimeoutMs: number;
  readonly #hooks: PeerHooks;
  readonly #logger: PeerLogger | undefined;
  readonly #onEvent: ((message: Record<string, unknown>) => void) | undefined;
  readonly #services = new LocalServices();
  readonly #calls: CallTable;
  readonly #messageCache: MessageCache;
  /** Long-lived interfaces (`_rintf`) this peer exported (`long-lived.ts`). */
  readonly #longLived: LongLivedInterfaces;
  /** Heartbeat timers of calls this peer is running, cleared on close. */
  readonly #heartbeats = new Set<{ handle: TimerHandle | undefined }>();
  /** What {@link runCall} needs from this peer (made once, not per call). */
  readonly #runContext: RunContext;
  readonly #decodeBounds: DecodeBounds | undefined;
  #closedError: MycelError | undefined;

  constructor(options: PeerOptions) {
    this.#workspace = options.workspace;
    this.#clientId = options.clientId;
    this.#peerId = `${this.#workspace}/${this.#clientId}`;
    this.#clock = options.clock ?? systemClock;
    this.#runContext = {
      clock: this.#clock,
      heartbeats: this.#heartbeats,
      isClosed: () => this.#closedError !== undefined,
      onUnheardFailure: (method, error) => this.#logger?.warn({ method, err: String(error) }, 'fire-and-forget call failed'),
    };
    this.#methodTimeoutMs = options.methodTimeoutMs ?? DEFAULT_METHOD_TIMEOUT_MS;
    this.#calls = new CallTable(this.#clock, options.maxPendingCalls ?? DEFAULT_LIMITS.maxPendingCalls);
    this.#hooks = new PeerHooks({
      peerId: () => this.peerId,
      workspace: () => this.#workspace,
      serverBaseUrl: options.serverBaseUrl,
      calls: this.#calls,
      longLived: () => this.#longLived,
      call: (target, method, args, kwargs) => this.call(target, method, args, kwargs ? { kwargs } : {}),
      notify: (target, method, args) => this.notify(target, method, args),
    });
    this.#longLived = new LongLivedInterfaces({
      addService: (definition) => this.#services.add(definition, false),
      removeService: (id) => this.#services.remove(id),
      descriptor: (method, fn) => this.#hooks.descriptor(method, fn),
      onExport: options.onLongLivedExport,
    });
    this.#out = new Outgoing({
      peerId: () => this.#peerId,
      workspace: () => this.#workspace,
      closedError: () => this.#closedError,
      send: options.send,
      stamp: options.stamp,
      calls: this.#calls,
      hooks: this.#hooks,
      logger: options.logger,
      methodTimeoutMs: this.#methodTimeoutMs,
      maxMessageBytes: options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES,
    });
    this.#logger = options.logger;
    this.#onEvent = options.onEvent;
    this.#decodeBounds = options.decodeBounds;
    this.#messageCache = new MessageCache(() => this.#clock.now());
    if (options.builtIn ?? true) {
      this.addService(
        createBuiltInService({
          name: options.name ?? 'built-in',
          cache: this.#messageCache,
          describeService: (id, context) => {
            const denied = accessDenied(this.#services.require(id), this.#workspace, context.ws ?? '', context.from ?? '');
            if (denied) throw new MycelError('PERMISSION_DENIED', denied);
            return this.describeService(id);
          },
          // A chunk of an answer counts as a sign of life of the call it answers, when its callee sends it.
          touch: (key, heartbeat, from) => {
            if (heartbeat === true && typeof key === 'string') this.#calls.touch(key, false, from);
          },
          processFrame: (frame, context) => {
            const { main, restOffset } = decodeHead(frame);
            const extra = decodeBody(frame, restOffset, this.#boundsFor(main));
            // The routing fields come from the trusted `process` call, never from the chunks.
            this.handleMessage(
              Object.assign(mergeMessage(main, extra), { from: context.from, ws: context.ws, to: this.peerId, user: (context as CallContext).user }),
            );
          },
        }),
      );
    }
  }

  /** This peer's address: `workspace/client_id`. */
  get peerId(): string {
    return this.#peerId;
  }

  /** This peer's workspace. */
  get workspace(): string {
    return this.#workspace;
  }

  /** This peer's client id. */
  get clientId(): string {
    return this.#clientId;
  }

  /** The method timeout in force. */
  get methodTimeoutMs(): number {
    return this.#methodTimeoutMs;
  }

  /** How many calls wait for an answer. */
  get pendingCount(): number {
    return this.#calls.pendingCount;
  }

  /** Whether the call of `sessionId` still waits for its answer. */
  isWaiting(sessionId: string): boolean {
    return this.#calls.get(sessionId)?.pending !== undefined;
  }

  /** Whether {@link close} was called. */
  get isClosed(): boolean {
    return this.#closedError !== undefined;
  }

  /** Changes the address after a reconnection to another workspace or id. */
  setIdentity(workspace: string, clientId: string): void {
    this.#workspace = workspace;
    this.#clientId = clientId;
    this.#peerId = `${workspace}/${clientId}`;
  }

  // ---------------------------------------------------------------- local services

  /**
   * Adds a local service. Its functions (nested objects included) become callable at
   * `services.{id}.{path}`. Throws a `TypeError` when the id is taken and `overwrite` is not set.
   */
  addService(definition: ServiceDefinition, overwrite = false): void {
    this.#services.add(definition, overwrite);
  }

  /** Removes a local service; returns whether it existed. */
  removeService(id: string): boolean {
    return this.#services.remove(id);
  }

  /** Whether a local service with this id exists. */
  hasService(id: string): boolean {
    return this.#services.has(id);
  }

  /** The definitions of all local services, `built-in` first (long-lived interfaces are not services). */
  listServices(): ServiceDefinition[] {
    return this.#services.list().filter((definition) => !isLongLivedId(definition.id));
  }

  /** The long-lived interfaces (`_rintf`) this peer keeps for others to call: count, dispose. */
  get longLived(): LongLivedInterfaces {
    return this.#longLived;
  }

  /**
   * The registration record of a local service, as sent to the manager's `register_service`:
   * full id, metadata and config (with `workspace`), no functions.
   */
  serviceInfo(id: string): Record<string, unknown> {
    return serviceInfo(this.#services.require(id), this.peerId, this.#workspace);
  }

  /**
   * The wire form of a local service as `built-in.get_service` returns it: metadata plus every
   * function as a method descriptor pointing at this peer.
   */
  describeService(id: string): Record<string, unknown> {
    const service = this.#services.require(id);
    const plain = this.#hooks.importOnly(this.#workspace);
    const members = describeMembers(
      service.definition,
      id,
      (method, fn) => this.#hooks.descriptor(method, fn),
      (value) => encodeValue(value, plain),
    );
    return { ...members, id: `${this.peerId}:${id}`, config: { ...service.config, workspace: this.#workspace } };
  }

  // ---------------------------------------------------------------- outgoing

  /**
   * Calls `method` on peer `target` and resolves with its answer. Rejects with `TIMEOUT` when the
   * callee neither answers nor heartbeats within the method timeout, with `BAD_MESSAGE` when the
   * arguments cannot be encoded, and with `CONNECTION_CLOSED` when the peer is closed.
   */
  call(target: string, method: string, args: readonly unknown[] = [], options: CallOptions = {}): Promise<unknown> {
    return this.#out.call(target, method, args, options);
  }

  /** Sends a call that expects no answer. Errors are only logged. */
  notify(target: string, method: string, args: readonly unknown[] = []): void {
    this.#out.notify(target, method, args);
  }

  /** Sends a non-method message (an event) to `to` (`*` broadcasts to the workspace). */
  emit(message: Record<string, unknown> & { type: string; to: string }): void {
    this.#out.emit(message);
  }

  /**
   * Fetches a service object from the peer that provides it, through that peer's
   * `built-in.get_service`. Its functions call the provider directly.
   */
  async getRemoteService(target: string, serviceId: string, options: CallOptions = {}): Promise<Record<string, unknown>> {
    const service = await this.call(target, 'services.built-in.get_service', [serviceId], options);
    if (service === null || typeof service !== 'object') {
      throw new MycelError('BAD_MESSAGE', `peer "${target}" returned no service for "${serviceId}"`);
    }
    return service as Record<string, unknown>;
  }

  /**
   * Forgets a peer that is gone: rejects every call waiting on it with `error`, drops the
   * sessions it could call back into and the chunks it was sending. Returns the calls rejected.
   */
  forgetPeer(target: string, error: MycelError): number {
    this.forgetChunksFrom(target);
    this.#longLived.forgetHolder(target);
    return this.#calls.forget(target, error);
  }

  /** Rejects all pending calls with `error` (default `CONNECTION_CLOSED`); later calls fail at once. */
  close(error = new MycelError('CONNECTION_CLOSED', 'connection closed')): void {
    if (this.#closedError) return;
    this.#closedError = error;
    this.rejectAll(error);
    for (const beat of this.#heartbeats) if (beat.handle !== undefined) this.#clock.clearTimeout(beat.handle);
    this.#heartbeats.clear();
  }

  /** Drops the chunks `sender` was sending this peer (it left; a later connection starts afresh). */
  forgetChunksFrom(sender: string): void {
    this.#messageCache.dropOwner(sender);
  }

  /**
   * Rejects all pending calls and drops the chunks being received, but keeps the peer usable (a
   * transport that will reconnect: what was in flight is gone either way).
   */
  rejectAll(error: MycelError): void {
    this.#calls.clear(error);
    this.#messageCache.clear();
  }

  // ---------------------------------------------------------------- incoming

  /** Handles one binary frame. Never throws: a malformed frame is logged and dropped. */
  handleFrame(frame: Uint8Array): void {
    let message: Record<string, unknown>;
    let main: unknown;
    try {
      const head = decodeHead(frame);
      main = head.main;
      message = mergeMessage(main, decodeBody(frame, head.restOffset, this.#boundsFor(main)));
    } catch (error) {
      this.#logger?.warn({ err: String(error) }, 'dropped malformed frame');
      // A call whose body was refused unread still gets its answer.
      const { type, from, session } = (main ?? {}) as Record<string, unknown>;
      if (type === 'method' && typeof from === 'string' && typeof session === 'string') {
        this.#out.reply(from, `${session}.reject`, MycelError.from(error, 'BAD_MESSAGE'));
      }
      return;
    }
    this.handleMessage(message);
  }

  /** The bounds on the body of a frame with header `main`: this peer's, and `built-in`'s for its calls. */
  #boundsFor(main: unknown): DecodeBounds | undefined {
    const method = (main as { method?: unknown } | null)?.method;
    if (typeof method !== 'string' || !method.startsWith('services.built-in.')) return this.#decodeBounds;
    const own = this.#decodeBounds;
    if (!own) return BUILT_IN_DECODE_BOUNDS;
    return {
      maxBodyBytes: Math.min(own.maxBodyBytes, BUILT_IN_DECODE_BOUNDS.maxBodyBytes),
      maxBodyValues: Math.min(own.maxBodyValues, BUILT_IN_DECODE_BOUNDS.maxBodyValues),
    };
  }

  /** Handles one decoded message (header and body merged). Never throws. */
  handleMessage(message: Record<string, unknown>): void {
    try {
      if (message.type !== 'method') {
        if (typeof message.type === 'string') this.#onEvent?.(message);
        return;
      }
      if (isMethodMessage(message)) {
        this.#handleMethod(message);
        return;
      }
      const parsed = methodMessageSchema.safeParse(message);
      if (!parsed.success) {
        this.#logger?.warn({ issue: parsed.error.issues[0]?.message }, 'dropped invalid method message');
        const { from, session } = message;
        if (typeof from === 'string' && typeof session === 'string') {
          this.#out.reply(from, `${session}.reject`, new MycelError('BAD_MESSAGE', 'invalid method message'));
        }
        return;
      }
      this.#handleMethod(parsed.data);
    } catch (error) {
      this.#logger?.warn({ err: String(error) }, 'message handler failed');
    }
  }

  #handleMethod(msg: MethodMessage): void {
    const from = msg.from;
    const fromWorkspace = splitPeerId(from).workspace;
    const answer = expandPromise(
      msg,
      (target, method, value, noArgs) => this.#out.reply(target, method, value, noArgs),
      (d) => normaliseDescriptor(d, fromWorkspace),
      (target) => this.#logger?.warn({ from, target }, 'dropped call whose answer points at another peer'),
    );
    if (!answer) return;
    const { reject } = answer;
    const target = findMethodTarget(msg.method, from, fromWorkspace, {
      services: this.#services,
      calls: this.#calls,
      workspace: this.#workspace,
      peerId: this.peerId,
    });
    if (target.kind === 'answer') {
      this.#out.answer(target.session, target.key, msg.from, msg.args?.[0]);
      return;
    }
    if (target.kind === 'refused') {
      if (target.expired) this.#logger?.debug?.({ method: msg.method }, 'session not found');
      reject?.(target.error);
      return;
    }
    const { fn, requireContext } = target;
    let args: unknown[];
    try {
      let hooks: ValueHooks | undefined;
      const decoded = (msg.args ?? []).map((a) => (isPlain(a) ? a : decodeValue(a, (hooks ??= this.#hooks.importOnly(fromWorkspace)))));
      const context: CallContext = {
        from,
        to: typeof msg.to === 'string' ? msg.to : this.peerId,
        ws: typeof msg.ws === 'string' ? msg.ws : fromWorkspace,
        user: msg.user ?? null,
      };
      args = placeArguments(fn, decoded, { withKwargs: msg.with_kwargs === true, requireContext }, context);
    } catch (error) {
      reject?.(MycelError.from(error, 'BAD_MESSAGE'));
      return;
    }
    runCall(fn, args, answer, msg.method, this.#runContext);
  }
}
