/**
 * The RPC peer engine: one side of Hypha's RPC over any frame transport. Hub manager and SDK
 * client are both built on it.
 *
 * A call is a `type: "method"` message with a `session`; the callee answers by calling the
 * caller's `{session}.resolve` / `{session}.reject`, and keeps the caller's timer alive with
 * `{session}.heartbeat`. Functions inside arguments become callbacks scoped to the call's session
 * and are dropped when it settles. Local services are reached at `services.{id}.{path}`.
 */
import { nanoid } from 'nanoid';
import { createBuiltInService } from './built-in.js';
import { expandPromise, runCall, type RunContext } from './answer.js';
import { CallTable, type Session } from './call-table.js';
import { placeArguments } from './call-args.js';
import { systemClock, type Clock, type TimerHandle } from './clock.js';
import { decodeBody, decodeHead, encodeFrame, mergeMessage } from './codec.js';
import { isMethodMessage, methodMessageSchema, type MethodMessage } from './envelope.js';
import { errorToPayload, MycelError } from './errors.js';
import { resolvePeerId, splitPeerId } from './ids.js';
import { BUILT_IN_DECODE_BOUNDS, DEFAULT_LIMITS, DEFAULT_METHOD_TIMEOUT_MS, type DecodeBounds } from './limits.js';
import {
  accessDenied,
  describeMembers,
  LocalServices,
  serviceInfo,
  type ServiceConfig,
  type ServiceDefinition,
  type ServiceFunction,
} from './local-services.js';
import { MessageCache } from './message-cache.js';
import { bindDescriptor, decodeValue, encodeValue, isPlain, type MethodDescriptor, type ValueHooks } from './values.js';

export type { ServiceConfig, ServiceDefinition, Visibility } from './local-services.js';

/** What a function with `require_context` receives as its last argument. */
export interface CallContext {
  from: string;
  to: string;
  ws: string;
  user: unknown;
  [key: string]: unknown;
}

/** Log sink of the engine (pino-compatible: object first, message second). */
export interface PeerLogger {
  warn(obj: object, msg: string): void;
  debug?(obj: object, msg: string): void;
}

/** Options of {@link RpcPeer}. */
export interface PeerOptions {
  /** This peer's workspace (`*` for the hub's manager). */
  workspace: string;
  /** This peer's client id. */
  clientId: string;
  /**
   * Writes one binary frame to the transport. May throw when the transport is closed. `meta`
   * says where it goes (and the session, for a call), for senders that route without decoding.
   */
  send: (frame: Uint8Array, meta: FrameMeta) => void;
  /**
   * Extra header fields for frames to `to`. The hub's manager sets `ws` and `user` itself, so its
   * frames need no stamping on the way out.
   */
  stamp?: (to: string) => Record<string, unknown>;
  /** Time source. @default systemClock */
  clock?: Clock;
  /** Time a call may go without an answer or heartbeat. @default 30000 */
  methodTimeoutMs?: number;
  /** Most calls waiting for an answer at once. @default 10000 */
  maxPendingCalls?: number;
  /** Base URL reported as `_rserver` in exported descriptors. */
  serverBaseUrl?: string;
  /** Where protocol warnings go. */
  logger?: PeerLogger;
  /** Called with every non-`method` message (events). */
  onEvent?: (message: Record<string, unknown>) => void;
  /** Add the `built-in` service (ping, get_service, message_cache). @default true */
  builtIn?: boolean;
  /** Name of the `built-in` service, as listings show it. @default "built-in" */
  name?: string;
  /**
   * Bounds on every body this peer decodes itself (frames, reassembled chunked messages), checked
   * before decoding. Calls to `built-in` are bounded by {@link BUILT_IN_DECODE_BOUNDS} as well.
   * @default none (the transport's frame limit)
   */
  decodeBounds?: DecodeBounds;
}

/** Where a frame goes, as its sender knows without decoding it. */
export interface FrameMeta {
  to: string;
  /** Present on calls that expect an answer. */
  session?: string;
}

/** Options of one outgoing call. */
export interface CallOptions {
  /** Overrides the peer's method timeout for this call. */
  timeoutMs?: number;
  /** Sent as keyword arguments (`with_kwargs`), for peers that take them. */
  kwargs?: Record<string, unknown>;
  /**
   * Let the callee's heartbeats extend the timeout. `false` makes the timeout an absolute
   * deadline (no `t` is sent, heartbeats are ignored). @default true
   */
  heartbeats?: boolean;
  /**
   * The affinity key of this one call, sent as the header field `balance_key`: a `balance:hash`
   * proxy's hub routes the call by it instead of the proxy's key. Other targets ignore it.
   */
  balanceKey?: string;
}

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
  readonly #send: (frame: Uint8Array, meta: FrameMeta) => void;
  readonly #stamp: ((to: string) => Record<string, unknown>) | undefined;
  readonly #clock: Clock;
  readonly #methodTimeoutMs: number;
  readonly #serverBaseUrl: string | undefined;
  readonly #logger: PeerLogger | undefined;
  readonly #onEvent: ((message: Record<string, unknown>) => void) | undefined;
  readonly #services = new LocalServices();
  readonly #calls: CallTable;
  readonly #messageCache: MessageCache;
  /** Heartbeat timers of calls this peer is running, cleared on close. */
  readonly #heartbeats = new Set<{ handle: TimerHandle | undefined }>();
  /** What {@link runCall} needs from this peer (made once, not per call). */
  readonly #runContext: RunContext;
  readonly #decodeBounds: DecodeBounds | undefined;
  #closedError: MycelError | undefined;

  constructor(options: PeerOptions) {
    this.#workspace = options.workspace;
    this.#clientId = options.clientId;
    this.#send = options.send;
    this.#stamp = options.stamp;
    this.#clock = options.clock ?? systemClock;
    this.#runContext = {
      clock: this.#clock,
      heartbeats: this.#heartbeats,
      isClosed: () => this.#closedError !== undefined,
      onUnheardFailure: (method, error) => this.#logger?.warn({ method, err: String(error) }, 'fire-and-forget call failed'),
    };
    this.#methodTimeoutMs = options.methodTimeoutMs ?? DEFAULT_METHOD_TIMEOUT_MS;
    this.#calls = new CallTable(this.#clock, options.maxPendingCalls ?? DEFAULT_LIMITS.maxPendingCalls);
    this.#serverBaseUrl = options.serverBaseUrl;
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
          touch: (key, heartbeat, from) => this.#touch(key, heartbeat, from),
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
    return `${this.#workspace}/${this.#clientId}`;
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

  /** The definitions of all local services, `built-in` first. */
  listServices(): ServiceDefinition[] {
    return this.#services.list();
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
    const plain = this.#plainHooks(this.#workspace);
    const members = describeMembers(
      service.definition,
      id,
      (method, fn) => this.#descriptor(method, fn),
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
    if (this.#closedError) return Promise.reject(this.#closedError);
    const refusal = this.#calls.refusal();
    if (refusal) return Promise.reject(refusal);
    const timeoutMs = options.timeoutMs ?? this.#methodTimeoutMs;
    if (!(timeoutMs > 0) || !Number.isFinite(timeoutMs)) {
      return Promise.reject(new TypeError(`timeoutMs must be a positive finite number, got ${timeoutMs}`));
    }
    const heartbeats = options.heartbeats ?? true;
    const session = this.#calls.open(target);
    let frame: Uint8Array;
    try {
      const all = options.kwargs ? [...args, options.kwargs] : args;
      // Hooks (which export functions into the session) are made only for values that need them.
      let hooks: ValueHooks | undefined;
      const encoded = new Array<unknown>(all.length);
      for (let i = 0; i < all.length; i++) {
        const a = all[i];
        encoded[i] = isPlain(a) ? (a ?? null) : encodeValue(a, (hooks ??= this.#exportHooks(session, this.#workspace)), `arg${i}`);
      }
      const extra: Record<string, unknown> = { args: encoded, promise: '*' };
      if (heartbeats) extra.t = timeoutMs / 2000;
      if (options.kwargs) extra.with_kwargs = true;
      const header = this.#header(target, method, session.id);
      if (options.balanceKey !== undefined) header.balance_key = options.balanceKey;
      frame = encodeFrame(header, extra);
    } catch (error) {
      this.#calls.discard(session.id);
      return Promise.reject(MycelError.from(error, 'BAD_MESSAGE'));
    }
    return new Promise((resolve, reject) => {
      this.#calls.wait(session, { method, timeoutMs, heartbeats }, resolve, reject);
      try {
        this.#send(frame, { to: target, session: session.id });
      } catch (error) {
        this.#calls.settle(session.id, undefined, MycelError.from(error, 'CONNECTION_CLOSED'));
      }
    });
  }

  /** Sends a call that expects no answer. Errors are only logged. */
  notify(target: string, method: string, args: readonly unknown[] = []): void {
    if (this.#closedError) return;
    try {
      const encoded = encodeValue(args, this.#replyHooks(target), 'arg') as unknown[];
      this.#send(encodeFrame(this.#header(target, method), { args: encoded }), { to: target });
    } catch (error) {
      this.#logger?.warn({ target, method, err: String(error) }, 'notify failed');
    }
  }

  /** Sends a non-method message (an event) to `to` (`*` broadcasts to the workspace). */
  emit(message: Record<string, unknown> & { type: string; to: string }): void {
    if (this.#closedError) throw this.#closedError;
    // Object.assign, not `{ ...message, from }`: V8 builds a spread with extra keys on a slow path.
    this.#send(encodeFrame(Object.assign({}, message, { from: this.peerId }, this.#stamp?.(message.to))), { to: message.to });
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
        this.#reply(from, `${session}.reject`, MycelError.from(error, 'BAD_MESSAGE'));
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
          this.#reply(from, `${session}.reject`, new MycelError('BAD_MESSAGE', 'invalid method message'));
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
      (target, method, value, noArgs) => this.#reply(target, method, value, noArgs),
      (d) => normaliseDescriptor(d, fromWorkspace),
      (target) => this.#logger?.warn({ from, target }, 'dropped call whose answer points at another peer'),
    );
    if (!answer) return;
    const { reject } = answer;
    const dot = msg.method.indexOf('.');
    const head = dot < 0 ? msg.method : msg.method.slice(0, dot);
    let fn: ServiceFunction | undefined;
    let requireContext = false;
    if (head === 'services') {
      const rest = msg.method.slice(dot + 1);
      const serviceDot = rest.indexOf('.');
      const found = this.#services.resolve(
        serviceDot < 0 ? rest : rest.slice(0, serviceDot),
        serviceDot < 0 ? '' : rest.slice(serviceDot + 1),
      );
      if (!found) {
        reject?.(new MycelError('METHOD_NOT_FOUND', `method "${msg.method}" not found at "${this.peerId}"`));
        return;
      }
      const denied = accessDenied(found.service, this.#workspace, fromWorkspace, from);
      if (denied) {
        reject?.(new MycelError('PERMISSION_DENIED', denied));
        return;
      }
      fn = found.fn;
      requireContext = found.requireContext;
    } else {
      const session = this.#calls.get(head);
      if (!session) {
        // Answers for calls that already settled (timed out, or rejected by a hub) land here.
        this.#logger?.debug?.({ method: msg.method }, 'session not found');
        reject?.(new MycelError('METHOD_NOT_FOUND', expiredCallback(msg.method)));
        return;
      }
      if (session.target !== from) {
        reject?.(new MycelError('PERMISSION_DENIED', `access denied: "${from}" may not call back "${msg.method}"`));
        return;
      }
      const key = msg.method.slice(dot + 1);
      if (session.pending && (key === 'resolve' || key === 'reject' || key === 'heartbeat')) {
        this.#answer(session, key, msg);
        return;
      }
      fn = session.callbacks?.get(key);
      if (!fn) {
        reject?.(new MycelError('METHOD_NOT_FOUND', expiredCallback(msg.method)));
        return;
      }
    }
    let args: unknown[];
    try {
      let hooks: ValueHooks | undefined;
      const decoded = (msg.args ?? []).map((a) => (isPlain(a) ? a : decodeValue(a, (hooks ??= this.#plainHooks(fromWorkspace)))));
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

  #answer(session: Session, key: 'resolve' | 'reject' | 'heartbeat', msg: MethodMessage): void {
    if (key === 'heartbeat') {
      this.#calls.touch(session.id, true, msg.from);
      return;
    }
    let value: unknown;
    try {
      const raw = msg.args?.[0];
      value = isPlain(raw) ? raw : decodeValue(raw, this.#exportHooks(session, splitPeerId(msg.from).workspace));
    } catch (error) {
      this.#calls.settle(session.id, undefined, MycelError.from(error, 'BAD_MESSAGE'));
      return;
    }
    if (key === 'resolve') this.#calls.settle(session.id, value);
    else this.#calls.settle(session.id, undefined, value instanceof Error ? value : MycelError.from(value, 'REMOTE_ERROR'));
  }

  /** Sends a fire-and-forget answer. Functions inside it are exported for `target` only. */
  #reply(target: string, method: string, value: unknown, noArgs = false): void {
    if (this.#closedError) return;
    try {
      const extra = noArgs ? { args: [] } : { args: [isPlain(value) ? (value ?? null) : encodeValue(value, this.#replyHooks(target), 'result')] };
      this.#send(encodeFrame(this.#header(target, method), extra), { to: target });
    } catch (error) {
      const err = MycelError.from(error, 'BAD_MESSAGE');
      this.#logger?.warn({ target, method, err: err.message }, 'reply failed');
      // A result that cannot be encoded must still end the caller's call.
      if (method.endsWith('.resolve')) {
        this.#reply(target, method.replace(/\.resolve$/, '.reject'), errorToPayload(err));
      }
    }
  }

  /** The header of a method frame to `to` (with the call's `session` when it expects an answer). */
  #header(to: string, method: string, session?: string): Record<string, unknown> {
    const header: Record<string, unknown> = { type: 'method', from: this.peerId, to, method };
    if (this.#stamp) Object.assign(header, this.#stamp(to));
    // The call's own session wins over anything a stamp says.
    if (session !== undefined) header.session = session;
    return header;
  }

  // ---------------------------------------------------------------- value hooks

  /** Hooks that export functions into `session` and import descriptors relative to `workspace`. */
  #exportHooks(session: Session, workspace: string): ValueHooks {
    return {
      exportFunction: (fn, name) => {
        const key = `${nanoid(10)}#${sanitise(name)}`;
        (session.callbacks ??= new Map()).set(key, fn);
        return this.#descriptor(`${session.id}.${key}`, fn);
      },
      importMethod: (d) => this.#stub(normaliseDescriptor(d, workspace)),
    };
  }

  /** Hooks that import descriptors relative to `workspace` and refuse to export functions. */
  #plainHooks(workspace: string): ValueHooks {
    return {
      exportFunction: () => {
        throw new MycelError('BAD_MESSAGE', 'cannot export a function here');
      },
      importMethod: (d) => this.#stub(normaliseDescriptor(d, workspace)),
    };
  }

  /** Functions inside a reply live in a bounded reply session that only `target` may call. */
  #replyHooks(target: string): ValueHooks {
    let hooks: ValueHooks | undefined;
    const open = (): ValueHooks => this.#exportHooks(this.#calls.openForReply(target), this.#workspace);
    return {
      exportFunction: (fn, name) => (hooks ??= open()).exportFunction(fn, name),
      importMethod: (d) => this.#stub(normaliseDescriptor(d, this.#workspace)),
    };
  }

  #descriptor(method: string, fn: ServiceFunction): MethodDescriptor {
    const d: MethodDescriptor = {
      _rtype: 'method',
      _rtarget: this.peerId,
      _rmethod: method,
      _rpromise: '*',
      _rname: fn.name || method.slice(method.lastIndexOf('.') + 1),
    };
    if (this.#serverBaseUrl) d._rserver = this.#serverBaseUrl;
    return d;
  }

  /** A callable stand-in for a remote method; re-encoding it yields the same descriptor. */
  #stub(d: MethodDescriptor): ServiceFunction {
    const stub =
      d._rpromise === false
        ? (...args: unknown[]) => {
            this.notify(d._rtarget, d._rmethod, args);
          }
        : (...args: unknown[]) => this.call(d._rtarget, d._rmethod, args);
    Object.defineProperty(stub, 'name', { value: typeof d._rname === 'string' ? d._rname : 'remote' });
    return bindDescriptor(stub, d);
  }

  /**
   * A chunked message refreshes the timer of the call it answers, if that call still waits and
   * the chunks come from its callee: anyone may call `built-in.message_cache`.
   */
  #touch(key: unknown, heartbeat: unknown, from: string): void {
    if (heartbeat === true && typeof key === 'string') this.#calls.touch(key, false, from);
  }
}

/** A descriptor whose `_rtarget` lacks a workspace is relative to the workspace that sent it. */
function normaliseDescriptor(d: MethodDescriptor, workspace: string): MethodDescriptor {
  const target = resolvePeerId(d._rtarget, workspace);
  return target === d._rtarget ? d : Object.assign({}, d, { _rtarget: target });
}


function sanitise(name: string): string {
  return name.replace(/[^A-Za-z0-9_]/g, '_').slice(0, 64) || 'callback';
}

/**
 * What a caller of a callback that outlived its call is told: callbacks passed as arguments live
 * as long as their call (as in hypha-rpc). The lasting equivalent, which every client
 * understands, is a registered service.
 */
function expiredCallback(method: string): string {
  return (
    `callback "${method}" is gone: it was passed with a call that has ended, and such callbacks live only as long as ` +
    'their call; to call back later, register a service and pass its id'
  );
}
