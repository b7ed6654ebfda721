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
import { systemClock, type Clock, type TimerHandle } from './clock.js';
import { decodeFrame, encodeFrame } from './codec.js';
import { methodMessageSchema, type MethodMessage } from './envelope.js';
import { errorToPayload, MycelError } from './errors.js';
import { splitPeerId } from './ids.js';
import { API_VERSION, DEFAULT_LIMITS, DEFAULT_METHOD_TIMEOUT_MS } from './limits.js';
import { MessageCache } from './message-cache.js';
import { paramNames, withParamNames } from './params.js';
import {
  bindDescriptor,
  decodeValue,
  encodeValue,
  type MethodDescriptor,
  type ValueHooks,
} from './values.js';

/** Who may call a service's functions. */
export type Visibility = 'protected' | 'public' | 'unlisted';

/** Settings of a service, as registered. Unknown keys are kept and travel with the service. */
export interface ServiceConfig {
  /** `protected` (default): same workspace only; `public`/`unlisted`: anyone who can reach it. */
  visibility?: Visibility;
  /** Append a call context `{from, to, ws, user}` as the last argument (all or named methods). */
  require_context?: boolean | readonly string[];
  /** Workspaces besides the owner's allowed to call a protected service. */
  authorized_workspaces?: readonly string[];
  [key: string]: unknown;
}

/** A service object: an id, optional metadata, and its functions and values. */
export interface ServiceDefinition {
  id: string;
  name?: string;
  description?: string;
  type?: string;
  docs?: string;
  app_id?: string;
  config?: ServiceConfig;
  [member: string]: unknown;
}

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
  /** Writes one binary frame to the transport. May throw when the transport is closed. */
  send: (frame: Uint8Array) => void;
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
}

/** Options of one outgoing call. */
export interface CallOptions {
  /** Overrides the peer's method timeout for this call. */
  timeoutMs?: number;
  /** Sent as keyword arguments (`with_kwargs`), for peers that take them. */
  kwargs?: Record<string, unknown>;
}

interface PendingCall {
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
  timer: TimerHandle;
  timeoutMs: number;
  method: string;
}

/** State of one outgoing call, or of the callbacks one reply exported. */
interface Session {
  id: string;
  /** The only peer allowed to call back into this session. */
  target: string;
  callbacks: Map<string, (...args: unknown[]) => unknown>;
  pending?: PendingCall;
}

/** Most reply-scoped sessions kept (functions returned as results); the oldest go first. */
const MAX_REPLY_SESSIONS = 1024;

/** Exported functions of one local service, by dotted path. */
interface LocalService {
  definition: ServiceDefinition;
  config: ServiceConfig;
  functions: Map<string, (...args: unknown[]) => unknown>;
}

/** A message as the engine handles it: header and body merged. */
export type InboundMessage = Record<string, unknown> & { type: string };

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
  readonly #send: (frame: Uint8Array) => void;
  readonly #clock: Clock;
  readonly #methodTimeoutMs: number;
  readonly #maxPendingCalls: number;
  readonly #serverBaseUrl: string | undefined;
  readonly #logger: PeerLogger | undefined;
  readonly #onEvent: ((message: Record<string, unknown>) => void) | undefined;
  readonly #services = new Map<string, LocalService>();
  readonly #sessions = new Map<string, Session>();
  readonly #replySessions: string[] = [];
  readonly #messageCache = new MessageCache();
  /** Heartbeat timers of calls this peer is running, cleared on close. */
  readonly #heartbeats = new Set<{ handle: TimerHandle | undefined }>();
  #pendingCount = 0;
  #closedError: MycelError | undefined;

  constructor(options: PeerOptions) {
    this.#workspace = options.workspace;
    this.#clientId = options.clientId;
    this.#send = options.send;
    this.#clock = options.clock ?? systemClock;
    this.#methodTimeoutMs = options.methodTimeoutMs ?? DEFAULT_METHOD_TIMEOUT_MS;
    this.#maxPendingCalls = options.maxPendingCalls ?? DEFAULT_LIMITS.maxPendingCalls;
    this.#serverBaseUrl = options.serverBaseUrl;
    this.#logger = options.logger;
    this.#onEvent = options.onEvent;
    if (options.builtIn ?? true) this.addService(this.#builtInService());
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
    return this.#pendingCount;
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
    if (typeof definition?.id !== 'string' || definition.id === '' || /[/:@.]/.test(definition.id)) {
      throw new TypeError('service id must be a non-empty string without "/", ":", "@" or "."');
    }
    if (this.#services.has(definition.id) && !overwrite) {
      throw new TypeError(`service "${definition.id}" already exists`);
    }
    const functions = new Map<string, (...args: unknown[]) => unknown>();
    collectFunctions(definition, '', functions, 0);
    const config: ServiceConfig = { ...(definition.config ?? {}) };
    this.#services.set(definition.id, { definition, config, functions });
  }

  /** Removes a local service; returns whether it existed. */
  removeService(id: string): boolean {
    return this.#services.delete(id);
  }

  /** Whether a local service with this id exists. */
  hasService(id: string): boolean {
    return this.#services.has(id);
  }

  /** The definitions of all local services, `built-in` first. */
  listServices(): ServiceDefinition[] {
    return [...this.#services.values()].map((s) => s.definition);
  }

  /**
   * The registration record of a local service, as sent to the manager's `register_service`:
   * full id, metadata and config (with `workspace`), no functions.
   */
  serviceInfo(id: string): Record<string, unknown> {
    const service = this.#requireService(id);
    const d = service.definition;
    return {
      id: `${this.peerId}:${d.id}`,
      name: d.name ?? d.id,
      type: d.type ?? 'generic',
      description: d.description ?? '',
      docs: d.docs ?? '',
      app_id: d.app_id ?? '*',
      config: { ...service.config, workspace: this.#workspace },
      service_schema: {},
    };
  }

  /**
   * The wire form of a local service as `built-in.get_service` returns it: metadata plus every
   * function as a method descriptor pointing at this peer.
   */
  describeService(id: string): Record<string, unknown> {
    const service = this.#requireService(id);
    const described = this.#describe(service.definition, id, '', 0) as Record<string, unknown>;
    return { ...described, id: `${this.peerId}:${id}`, config: { ...service.config, workspace: this.#workspace } };
  }

  // ---------------------------------------------------------------- outgoing

  /**
   * Calls `method` on peer `target` and resolves with its answer. Rejects with `TIMEOUT` when the
   * callee neither answers nor heartbeats within the method timeout, and with `CONNECTION_CLOSED`
   * when the peer is closed.
   */
  call(target: string, method: string, args: readonly unknown[] = [], options: CallOptions = {}): Promise<unknown> {
    if (this.#closedError) return Promise.reject(this.#closedError);
    if (this.#pendingCount >= this.#maxPendingCalls) {
      return Promise.reject(
        new MycelError('LIMIT_EXCEEDED', `too many pending calls (limit ${this.#maxPendingCalls})`),
      );
    }
    const timeoutMs = options.timeoutMs ?? this.#methodTimeoutMs;
    if (!(timeoutMs > 0) || !Number.isFinite(timeoutMs)) {
      return Promise.reject(new TypeError(`timeoutMs must be a positive finite number, got ${timeoutMs}`));
    }
    const session = this.#openSession(target);
    let encodedArgs: unknown[];
    try {
      encodedArgs = this.#encodeArgs(args, options.kwargs, session);
    } catch (error) {
      this.#sessions.delete(session.id);
      return Promise.reject(MycelError.from(error, 'BAD_MESSAGE'));
    }
    const extra: Record<string, unknown> = { args: encodedArgs, promise: '*', t: timeoutMs / 2000 };
    if (options.kwargs) extra.with_kwargs = true;
    return new Promise((resolve, reject) => {
      const pending: PendingCall = {
        resolve,
        reject,
        timeoutMs,
        method,
        timer: this.#clock.setTimeout(() => this.#timeOut(session.id), timeoutMs),
      };
      session.pending = pending;
      this.#pendingCount++;
      try {
        this.#send(encodeFrame({ type: 'method', from: this.peerId, to: target, method, session: session.id }, extra));
      } catch (error) {
        this.#settle(session.id, undefined, MycelError.from(error, 'CONNECTION_CLOSED'));
      }
    });
  }

  /** Sends a call that expects no answer. Errors are only logged. */
  notify(target: string, method: string, args: readonly unknown[] = []): void {
    if (this.#closedError) return;
    try {
      const encoded = encodeValue(args, this.#replyHooks(target), 'arg') as unknown[];
      this.#send(encodeFrame({ type: 'method', from: this.peerId, to: target, method }, { args: encoded }));
    } catch (error) {
      this.#logger?.warn({ target, method, err: String(error) }, 'notify failed');
    }
  }

  /** Sends a non-method message (an event) to `to` (`*` broadcasts to the workspace). */
  emit(message: Record<string, unknown> & { type: string; to: string }): void {
    if (this.#closedError) throw this.#closedError;
    this.#send(encodeFrame({ ...message, from: this.peerId }));
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

  /** Rejects every call waiting on `target` (a peer that is gone) and drops its sessions. */
  rejectCallsTo(target: string, error: MycelError): number {
    let count = 0;
    for (const session of [...this.#sessions.values()]) {
      if (session.target !== target) continue;
      if (session.pending) {
        count++;
        this.#settle(session.id, undefined, error);
      } else {
        this.#sessions.delete(session.id);
      }
    }
    return count;
  }

  /** Rejects all pending calls with `error` (default `CONNECTION_CLOSED`); later calls fail at once. */
  close(error = new MycelError('CONNECTION_CLOSED', 'connection closed')): void {
    if (this.#closedError) return;
    this.#closedError = error;
    this.rejectAll(error);
    this.#messageCache.clear();
    for (const beat of this.#heartbeats) if (beat.handle !== undefined) this.#clock.clearTimeout(beat.handle);
    this.#heartbeats.clear();
  }

  /** Rejects all pending calls but keeps the peer usable (a transport that will reconnect). */
  rejectAll(error: MycelError): void {
    for (const session of [...this.#sessions.values()]) {
      if (session.pending) this.#settle(session.id, undefined, error);
    }
    this.#sessions.clear();
    this.#replySessions.length = 0;
  }

  /** Lets a closed peer work again (after a reconnection). */
  reopen(): void {
    this.#closedError = undefined;
  }

  // ---------------------------------------------------------------- incoming

  /**
   * Handles one binary frame. Never throws: a malformed frame is logged and, when it carries a
   * session, answered with `BAD_MESSAGE`.
   */
  handleFrame(frame: Uint8Array): void {
    let merged: Record<string, unknown>;
    try {
      const { main, extra } = decodeFrame(frame);
      if (main === null || typeof main !== 'object' || Array.isArray(main)) {
        throw new MycelError('BAD_MESSAGE', 'frame header is not a map');
      }
      // The header wins: the hub stamps `from`/`ws`/`user` there and never reads the body, so a
      // body must not be able to override them.
      merged =
        extra !== null && typeof extra === 'object' && !Array.isArray(extra)
          ? { ...(extra as Record<string, unknown>), ...(main as Record<string, unknown>) }
          : { ...(main as Record<string, unknown>) };
    } catch (error) {
      this.#logger?.warn({ err: String(error) }, 'dropped malformed frame');
      return;
    }
    this.handleMessage(merged);
  }

  /** Handles one decoded message (header and body merged). Never throws. */
  handleMessage(message: Record<string, unknown>): void {
    try {
      if (message.type !== 'method') {
        if (typeof message.type === 'string') this.#onEvent?.(message);
        return;
      }
      const parsed = methodMessageSchema.safeParse(message);
      if (!parsed.success) {
        this.#logger?.warn({ issues: parsed.error.issues.length }, 'dropped invalid method message');
        this.#answerInvalid(message);
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
    const { resolve, reject, heartbeat, interval } = this.#expandPromise(msg, fromWorkspace);
    let fn: ((...args: unknown[]) => unknown) | undefined;
    let requireContext = false;
    const dot = msg.method.indexOf('.');
    const head = dot < 0 ? msg.method : msg.method.slice(0, dot);
    if (head === 'services') {
      const rest = msg.method.slice(dot + 1);
      const serviceDot = rest.indexOf('.');
      const serviceId = serviceDot < 0 ? rest : rest.slice(0, serviceDot);
      const path = serviceDot < 0 ? '' : rest.slice(serviceDot + 1);
      const service = this.#services.get(serviceId);
      fn = service?.functions.get(path);
      if (!service || !fn) {
        reject?.(new MycelError('METHOD_NOT_FOUND', `method "${msg.method}" not found at "${this.peerId}"`));
        return;
      }
      const denied = this.#checkServiceAccess(service, fromWorkspace, from);
      if (denied) {
        reject?.(new MycelError('PERMISSION_DENIED', denied));
        return;
      }
      const rc = service.config.require_context;
      requireContext = rc === true || (Array.isArray(rc) && rc.includes(path));
    } else {
      const session = this.#sessions.get(head);
      if (!session) {
        // Answers for calls that already settled (timed out, or rejected by a hub) land here.
        this.#logger?.debug?.({ method: msg.method }, 'session not found');
        reject?.(new MycelError('METHOD_NOT_FOUND', `session not found: "${msg.method}"`));
        return;
      }
      if (session.target !== from) {
        reject?.(
          new MycelError('PERMISSION_DENIED', `access denied: "${from}" may not call back "${msg.method}"`),
        );
        return;
      }
      const key = msg.method.slice(dot + 1);
      if (session.pending && (key === 'resolve' || key === 'reject' || key === 'heartbeat')) {
        this.#answer(session, key, msg);
        return;
      }
      fn = session.callbacks.get(key);
      if (!fn) {
        reject?.(new MycelError('METHOD_NOT_FOUND', `callback "${msg.method}" expired or not found`));
        return;
      }
    }
    let args: unknown[];
    try {
      args = this.#decodeArgs(msg, fromWorkspace, fn, requireContext);
    } catch (error) {
      reject?.(MycelError.from(error, 'BAD_MESSAGE'));
      return;
    }
    this.#run(fn, args, resolve, reject, heartbeat, interval, msg.method);
  }

  #run(
    fn: (...args: unknown[]) => unknown,
    args: unknown[],
    resolve: ((value: unknown) => void) | undefined,
    reject: ((error: unknown) => void) | undefined,
    heartbeat: (() => void) | undefined,
    intervalS: number | undefined,
    method: string,
  ): void {
    let result: unknown;
    try {
      result = fn(...args);
    } catch (error) {
      this.#logFailure(method, error, reject);
      reject?.(error);
      return;
    }
    if (!isThenable(result)) {
      resolve?.(result);
      return;
    }
    let done = false;
    const heartbeats = this.#heartbeats;
    const beat = { handle: undefined as TimerHandle | undefined };
    if (heartbeat && intervalS && intervalS > 0) {
      const intervalMs = Math.max(intervalS * 1000, 100);
      const tick = () => {
        if (done || this.#closedError) {
          heartbeats.delete(beat);
          return;
        }
        heartbeat();
        beat.handle = this.#clock.setTimeout(tick, intervalMs);
      };
      beat.handle = this.#clock.setTimeout(tick, intervalMs);
      heartbeats.add(beat);
    }
    const finish = () => {
      done = true;
      heartbeats.delete(beat);
      if (beat.handle !== undefined) this.#clock.clearTimeout(beat.handle);
    };
    result.then(
      (value) => {
        finish();
        resolve?.(value);
      },
      (error: unknown) => {
        finish();
        this.#logFailure(method, error, reject);
        reject?.(error);
      },
    );
  }

  #logFailure(method: string, error: unknown, reject: unknown): void {
    // The caller gets the message; the stack stays here, and only when nobody else will hear of it.
    if (!reject) this.#logger?.warn({ method, err: String(error) }, 'fire-and-forget call failed');
  }

  #answer(session: Session, key: 'resolve' | 'reject' | 'heartbeat', msg: MethodMessage): void {
    const pending = session.pending;
    if (!pending) return;
    if (key === 'heartbeat') {
      this.#clock.clearTimeout(pending.timer);
      pending.timer = this.#clock.setTimeout(() => this.#timeOut(session.id), pending.timeoutMs);
      return;
    }
    const hooks = this.#hooksFor(session, splitPeerId(msg.from).workspace);
    let value: unknown;
    try {
      value = decodeValue(msg.args?.[0], hooks);
    } catch (error) {
      this.#settle(session.id, undefined, MycelError.from(error, 'BAD_MESSAGE'));
      return;
    }
    if (key === 'resolve') {
      this.#settle(session.id, value, undefined);
    } else {
      this.#settle(session.id, undefined, value instanceof Error ? value : MycelError.from(value, 'REMOTE_ERROR'));
    }
  }

  #settle(sessionId: string, value: unknown, error: unknown): void {
    const session = this.#sessions.get(sessionId);
    if (!session?.pending) return;
    const pending = session.pending;
    this.#clock.clearTimeout(pending.timer);
    this.#sessions.delete(sessionId);
    this.#pendingCount--;
    if (error !== undefined) pending.reject(error);
    else pending.resolve(value);
  }

  #timeOut(sessionId: string): void {
    const session = this.#sessions.get(sessionId);
    if (!session?.pending) return;
    const { method, timeoutMs } = session.pending;
    this.#settle(
      sessionId,
      undefined,
      new MycelError('TIMEOUT', `call "${method}" to "${session.target}" timed out after ${timeoutMs}ms`),
    );
  }

  /** Turns `promise` (explicit descriptors, or `"*"` plus `t`) into callables. */
  #expandPromise(
    msg: MethodMessage,
    fromWorkspace: string,
  ): {
    resolve?: (value: unknown) => void;
    reject?: (error: unknown) => void;
    heartbeat?: () => void;
    interval?: number;
  } {
    const promise = msg.promise;
    if (!promise || !msg.session) return {};
    const from = msg.from;
    if (promise === '*') {
      const session = msg.session;
      return {
        resolve: (value) => this.#reply(from, `${session}.resolve`, value),
        reject: (error) => this.#reply(from, `${session}.reject`, errorToPayload(error)),
        heartbeat: () => this.#reply(from, `${session}.heartbeat`, undefined, true),
        interval: msg.t ?? undefined,
      };
    }
    const call = (key: string) => {
      const d = promise[key];
      if (d === null || typeof d !== 'object' || (d as { _rtype?: unknown })._rtype !== 'method') return undefined;
      const desc = normaliseDescriptor(d as MethodDescriptor, fromWorkspace);
      return (value?: unknown) => this.#reply(desc._rtarget, desc._rmethod, value, value === undefined);
    };
    const resolve = call('resolve');
    const rejectFn = call('reject');
    const heartbeat = call('heartbeat');
    return {
      ...(resolve && { resolve }),
      ...(rejectFn && { reject: (error: unknown) => rejectFn(errorToPayload(error)) }),
      ...(heartbeat && { heartbeat: () => heartbeat() }),
      ...(typeof promise.interval === 'number' && { interval: promise.interval }),
    };
  }

  /** Sends a fire-and-forget answer. Functions inside it are exported for `target` only. */
  #reply(target: string, method: string, value: unknown, noArgs = false): void {
    if (this.#closedError) return;
    try {
      const extra = noArgs ? { args: [] } : { args: [encodeValue(value, this.#replyHooks(target), 'result')] };
      this.#send(encodeFrame({ type: 'method', from: this.peerId, to: target, method }, extra));
    } catch (error) {
      const err = MycelError.from(error, 'BAD_MESSAGE');
      this.#logger?.warn({ target, method, err: err.message }, 'reply failed');
      // A result that cannot be encoded must still end the caller's call.
      if (method.endsWith('.resolve')) {
        this.#reply(target, method.replace(/\.resolve$/, '.reject'), errorToPayload(err));
      }
    }
  }

  #decodeArgs(
    msg: MethodMessage,
    fromWorkspace: string,
    fn: (...args: unknown[]) => unknown,
    requireContext: boolean,
  ): unknown[] {
    const hooks = this.#importOnlyHooks(fromWorkspace);
    let args = (msg.args ?? []).map((a) => decodeValue(a, hooks));
    const names = paramNames(fn);
    if (msg.with_kwargs && args.length > 0) {
      const kwargs = args.pop();
      if (kwargs !== null && typeof kwargs === 'object' && !Array.isArray(kwargs) && names) {
        const record = kwargs as Record<string, unknown>;
        // With `require_context` the last parameter takes the context, whatever its name.
        const positional = requireContext ? names.slice(0, -1) : names.filter((n) => n !== 'context');
        const mapped = positional.map((name, i) => (name in record ? record[name] : args[i]));
        args = mapped.length >= args.length ? mapped : [...mapped, ...args.slice(mapped.length)];
      } else {
        args.push(kwargs);
      }
    }
    if (requireContext) {
      const context: CallContext = {
        from: msg.from,
        to: typeof msg.to === 'string' ? msg.to : this.peerId,
        ws: typeof msg.ws === 'string' ? msg.ws : fromWorkspace,
        user: msg.user ?? null,
      };
      const declared = names ? names.length : fn.length;
      while (args.length + 1 < declared) args.push(undefined);
      args.push(context);
    }
    return args;
  }

  #answerInvalid(message: Record<string, unknown>): void {
    const from = message.from;
    const session = message.session;
    if (typeof from !== 'string' || typeof session !== 'string') return;
    this.#reply(
      from,
      `${session}.reject`,
      new MycelError('BAD_MESSAGE', 'invalid method message'),
    );
  }

  #checkServiceAccess(service: LocalService, fromWorkspace: string, from: string): string | undefined {
    const visibility = service.config.visibility ?? 'protected';
    if (visibility !== 'protected') return undefined;
    if (fromWorkspace === this.#workspace || fromWorkspace === '*') return undefined;
    if (service.config.authorized_workspaces?.includes(fromWorkspace)) return undefined;
    return `permission denied: "${from}" may not call protected service "${service.definition.id}"`;
  }

  // ---------------------------------------------------------------- value hooks

  #openSession(target: string): Session {
    const session: Session = { id: nanoid(), target, callbacks: new Map() };
    this.#sessions.set(session.id, session);
    return session;
  }

  #encodeArgs(args: readonly unknown[], kwargs: Record<string, unknown> | undefined, session: Session): unknown[] {
    const hooks = this.#hooksFor(session, this.#workspace);
    const all = kwargs ? [...args, kwargs] : [...args];
    return all.map((a, i) => encodeValue(a, hooks, `arg${i}`));
  }

  /** Hooks that export functions into `session` and import descriptors relative to `workspace`. */
  #hooksFor(session: Session, workspace: string): ValueHooks {
    return {
      exportFunction: (fn, name) => {
        const key = `${nanoid(10)}#${sanitise(name)}`;
        session.callbacks.set(key, fn);
        return this.#descriptor(`${session.id}.${key}`, fn, '*');
      },
      importMethod: (d) => this.#stub(normaliseDescriptor(d, workspace)),
    };
  }

  #importOnlyHooks(workspace: string): ValueHooks {
    return {
      exportFunction: () => {
        throw new MycelError('BAD_MESSAGE', 'cannot export a function here');
      },
      importMethod: (d) => this.#stub(normaliseDescriptor(d, workspace)),
    };
  }

  /** Functions inside a reply live in a bounded reply session that only `target` may call. */
  #replyHooks(target: string): ValueHooks {
    let session: Session | undefined;
    return {
      exportFunction: (fn, name) => {
        if (!session) {
          session = this.#openSession(target);
          this.#replySessions.push(session.id);
          while (this.#replySessions.length > MAX_REPLY_SESSIONS) {
            this.#sessions.delete(this.#replySessions.shift() ?? '');
          }
        }
        const key = `${nanoid(10)}#${sanitise(name)}`;
        session.callbacks.set(key, fn);
        return this.#descriptor(`${session.id}.${key}`, fn, '*');
      },
      importMethod: (d) => this.#stub(normaliseDescriptor(d, this.#workspace)),
    };
  }

  #descriptor(method: string, fn: (...args: unknown[]) => unknown, promise: '*' | boolean): MethodDescriptor {
    const d: MethodDescriptor = {
      _rtype: 'method',
      _rtarget: this.peerId,
      _rmethod: method,
      _rpromise: promise,
      _rname: fn.name || method.slice(method.lastIndexOf('.') + 1),
    };
    if (this.#serverBaseUrl) d._rserver = this.#serverBaseUrl;
    return d;
  }

  /** A callable stand-in for a remote method; re-encoding it yields the same descriptor. */
  #stub(d: MethodDescriptor): (...args: unknown[]) => unknown {
    const stub =
      d._rpromise === false
        ? (...args: unknown[]) => {
            this.notify(d._rtarget, d._rmethod, args);
          }
        : (...args: unknown[]) => this.call(d._rtarget, d._rmethod, args);
    Object.defineProperty(stub, 'name', { value: typeof d._rname === 'string' ? d._rname : 'remote' });
    return bindDescriptor(stub, d);
  }

  #describe(value: unknown, serviceId: string, path: string, depth: number): unknown {
    if (typeof value === 'function') {
      const d = this.#descriptor(`services.${serviceId}.${path}`, value as (...a: unknown[]) => unknown, '*');
      return d;
    }
    if (value === null || typeof value !== 'object' || Array.isArray(value) || depth > 8) {
      return encodeValue(value, this.#importOnlyHooks(this.#workspace));
    }
    if (value instanceof Uint8Array) return value;
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) {
      if (item === undefined || (key.startsWith('_') && key !== '_dispose')) continue;
      if (depth === 0 && key === 'config') continue;
      out[key] = this.#describe(item, serviceId, path ? `${path}.${key}` : key, depth + 1);
    }
    return out;
  }

  #requireService(id: string): LocalService {
    const service = this.#services.get(id);
    if (!service) throw new MycelError('SERVICE_NOT_FOUND', `service "${id}" not found`);
    return service;
  }

  #builtInService(): ServiceDefinition {
    const cache = this.#messageCache;
    return {
      id: 'built-in',
      type: 'built-in',
      name: 'built-in',
      config: { visibility: 'public', require_context: true, api_version: API_VERSION },
      ping: withParamNames((msg: unknown) => {
        if (msg !== 'ping') throw new MycelError('BAD_MESSAGE', 'ping expects "ping"');
        return 'pong';
      }, ['msg', 'context']),
      get_service: withParamNames((serviceId: unknown, context: CallContext) => {
        if (typeof serviceId !== 'string') throw new MycelError('BAD_MESSAGE', 'service id must be a string');
        const service = this.#requireService(serviceId);
        const denied = this.#checkServiceAccess(service, context?.ws ?? '', context?.from ?? '');
        if (denied) throw new MycelError('PERMISSION_DENIED', denied);
        return this.describeService(serviceId);
      }, ['service_id', 'context']),
      message_cache: {
        create: withParamNames(
          (key: unknown, heartbeat: unknown, overwrite: unknown, context: CallContext) => {
            this.#touch(key, heartbeat);
            cache.create(String(key), context.from, overwrite === true);
          },
          ['key', 'heartbeat', 'overwrite', 'context'],
        ),
        append: withParamNames(
          (key: unknown, data: unknown, heartbeat: unknown, context: CallContext) => {
            this.#touch(key, heartbeat);
            cache.append(String(key), context.from, data);
          },
          ['key', 'data', 'heartbeat', 'context'],
        ),
        set: withParamNames(
          (key: unknown, index: unknown, data: unknown, heartbeat: unknown, context: CallContext) => {
            this.#touch(key, heartbeat);
            cache.set(String(key), context.from, index, data);
          },
          ['key', 'index', 'data', 'heartbeat', 'context'],
        ),
        process: withParamNames(
          (key: unknown, heartbeat: unknown, context: CallContext) => {
            this.#touch(key, heartbeat);
            const frame = cache.take(String(key), context.from);
            this.#processCached(frame, context);
          },
          ['key', 'heartbeat', 'context'],
        ),
        remove: withParamNames(
          (key: unknown, context: CallContext) => {
            cache.remove(String(key), context.from);
          },
          ['key', 'context'],
        ),
      },
    };
  }

  /** A chunked message refreshes the timer of the call it answers, if that call still waits. */
  #touch(key: unknown, heartbeat: unknown): void {
    if (heartbeat !== true || typeof key !== 'string') return;
    const pending = this.#sessions.get(key)?.pending;
    if (!pending) return;
    this.#clock.clearTimeout(pending.timer);
    pending.timer = this.#clock.setTimeout(() => this.#timeOut(key), pending.timeoutMs);
  }

  /** Runs a reassembled frame with the routing fields of the trusted `process` call. */
  #processCached(frame: Uint8Array, context: CallContext): void {
    const { main, extra } = decodeFrame(frame);
    if (main === null || typeof main !== 'object') throw new MycelError('BAD_MESSAGE', 'cached frame header is not a map');
    const merged: Record<string, unknown> = { ...(extra !== null && typeof extra === 'object' ? extra : {}), ...main };
    Object.assign(merged, { from: context.from, to: context.to, ws: context.ws, user: context.user });
    this.handleMessage(merged);
  }
}

/** A descriptor whose `_rtarget` lacks a workspace is relative to the workspace that sent it. */
function normaliseDescriptor(d: MethodDescriptor, workspace: string): MethodDescriptor {
  if (d._rtarget.includes('/')) return d;
  return { ...d, _rtarget: `${workspace}/${d._rtarget}` };
}

function collectFunctions(
  value: object,
  prefix: string,
  out: Map<string, (...args: unknown[]) => unknown>,
  depth: number,
): void {
  if (depth > 8) return;
  for (const [key, item] of Object.entries(value)) {
    if (depth === 0 && key === 'config') continue;
    if (key.startsWith('_') && key !== '_dispose') continue;
    const path = prefix ? `${prefix}.${key}` : key;
    if (typeof item === 'function') out.set(path, item as (...args: unknown[]) => unknown);
    else if (item !== null && typeof item === 'object' && !Array.isArray(item) && !(item instanceof Uint8Array)) {
      collectFunctions(item, path, out, depth + 1);
    }
  }
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return value !== null && typeof value === 'object' && typeof (value as { then?: unknown }).then === 'function';
}

function sanitise(name: string): string {
  return name.replace(/[^A-Za-z0-9_]/g, '_').slice(0, 64) || 'callback';
}
