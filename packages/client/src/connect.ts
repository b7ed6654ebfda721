/**
 * `connectToServer` and the client it returns: registration, discovery, selection, events and
 * reconnection over one hub connection. The API mirrors hypha-rpc's, so code written for it runs
 * with an import change; snake_case aliases are provided next to the camelCase names.
 */
import { nanoid } from 'nanoid';
import {
  MycelError,
  RpcPeer,
  splitServiceAddress,
  DEFAULT_METHOD_TIMEOUT_MS,
  DEFAULT_SELECT_TIMEOUT_MS,
  type ConnectionInfo,
  type PeerLogger,
  type ServiceDefinition as PeerServiceDefinition,
} from '@mycel/protocol';
import { Emitter, type Listener } from './events.js';
import { ReconnectLoop, reconnectPolicy, type ReconnectPolicy } from './reconnect.js';
import {
  DEFAULT_CONNECT_TIMEOUT_MS,
  DEFAULT_GET_SERVICE_TIMEOUT_S,
  HUB_EVENTS,
  LOCAL_ONLY_EVENTS,
  TOKEN_REFRESH_INTERVAL_MS,
  type ClientLogger,
  type ConnectOptions,
} from './options.js';
import { chooseOnClient } from './select-on-client.js';
import { normaliseServerUrl, openWebSocketTransport, type Transport, type TransportMessage } from './transport.js';
import type {
  GetServiceOptions,
  HubEvent,
  RegisterServiceOptions,
  ServiceDefinition,
  ServiceInfo,
  ServiceProxyOf,
} from './types.js';

/**
 * Connects to a hub and resolves with a ready client.
 *
 * @example
 * const api = await connectToServer({ server_url: 'http://127.0.0.1:9527' });
 * await api.registerService({ id: 'math', add: (a: number, b: number) => a + b });
 * const math = await api.getService<{ add(a: number, b: number): number }>('math');
 * console.log(await math.add(1, 2));
 */
export async function connectToServer(options: ConnectOptions): Promise<MycelClient> {
  const serverUrl = options.server_url ?? options.serverUrl;
  if (typeof serverUrl !== 'string' || serverUrl === '') throw new TypeError('server_url must be a non-empty string');
  const client = new MycelClient(options, normaliseServerUrl(serverUrl));
  await client.connectFirst();
  return client;
}

/** A connection to a hub. Get one with {@link connectToServer}. */
export class MycelClient {
  /** Connection facts from the hub (`workspace`, `client_id`, `manager_id`, `user`, ...). */
  config: ConnectionInfo & Record<string, unknown>;

  readonly #url: string;
  readonly #options: ConnectOptions;
  readonly #clientId: string;
  readonly #policy: ReconnectPolicy;
  readonly #log: ClientLogger;
  readonly #events: Emitter;
  readonly #subscriptions = new Set<string>();
  #peer: RpcPeer | undefined;
  #transport: Transport | undefined;
  #managerId = '';
  #reconnectionToken: string | undefined;
  #state: 'connecting' | 'open' | 'reconnecting' | 'closed' = 'connecting';
  #refusal: string | undefined;
  readonly #reconnect: ReconnectLoop;
  #refreshTimer: ReturnType<typeof setInterval> | undefined;
  /** How each proxy was obtained, so {@link reselect} can ask again. */
  readonly #origins = new WeakMap<object, { query: string; options: GetServiceOptions }>();

  /** @internal use {@link connectToServer} */
  constructor(options: ConnectOptions, url: string) {
    this.#options = options;
    this.#url = url;
    this.#clientId = options.client_id ?? options.clientId ?? nanoid();
    this.#policy = reconnectPolicy(options.reconnect);
    this.#reconnect = new ReconnectLoop({
      policy: this.#policy,
      attempt: () => this.#connect(),
      isWanted: () => this.#state !== 'closed',
      onScheduled: (attempt, delayMs) => this.#events.emit('reconnecting', { attempt, delayMs }),
      onSuccess: (attempts) => {
        if (this.#state === 'open') this.#events.emit('reconnected', { attempts });
      },
      onFailure: (error, attempt) => {
        this.#log.debug?.({ attempt, err: String(error) }, 'reconnection attempt failed');
        if (error instanceof MycelError && (error.data as { refused?: boolean } | undefined)?.refused) {
          this.#giveUp(error.message);
          return false;
        }
        // A half-done attempt (connected, then failed to register) is closed before the next.
        this.#state = 'reconnecting';
        this.#transport?.close();
        return true;
      },
      onExhausted: (attempts) => this.#giveUp(`gave up after ${attempts} reconnection attempts`),
    });
    this.#reconnectionToken = options.reconnection_token;
    this.#log = options.logger ?? {};
    this.#events = new Emitter((error, type) =>
      this.#log.warn?.({ event: type, err: String(error) }, 'event listener threw'),
    );
    this.config = {} as ConnectionInfo & Record<string, unknown>;
  }

  /** @internal first connection; rejects when it fails (no retry). */
  async connectFirst(): Promise<void> {
    try {
      await this.#connect();
    } catch (error) {
      await this.disconnect();
      throw error;
    }
  }

  /** Whether the client is connected right now. */
  get isConnected(): boolean {
    return this.#state === 'open';
  }

  /** This client's address, `workspace/client_id`. */
  get peerId(): string {
    return this.#requirePeer().peerId;
  }

  // ---------------------------------------------------------------- services

  /**
   * Registers a service on the hub and returns its info, with the full id
   * `workspace/client_id:service_id`. Functions may be sync or async.
   */
  registerService<T extends Record<string, unknown>>(
    service: ServiceDefinition<T>,
    options: RegisterServiceOptions = {},
  ): Promise<ServiceInfo> {
    if (service === null || typeof service !== 'object' || typeof service.id !== 'string' || service.id === '') {
      throw new TypeError('service must be an object with a non-empty string "id"');
    }
    const peer = this.#requirePeer();
    const existed = peer.hasService(service.id);
    peer.addService(service as PeerServiceDefinition, options.overwrite ?? false);
    return this.#manager('register_service', [peer.serviceInfo(service.id)]).then(
      (info) => info as ServiceInfo,
      (error: unknown) => {
        if (!existed) peer.removeService(service.id);
        throw error;
      },
    );
  }

  /** Removes a service this client registered. Accepts the bare or the full id. */
  async unregisterService(serviceId: string): Promise<void> {
    if (typeof serviceId !== 'string' || serviceId === '') throw new TypeError('service id must be a non-empty string');
    const bare = splitServiceAddress(serviceId)?.serviceId ?? serviceId;
    const peer = this.#requirePeer();
    if (!peer.hasService(bare)) {
      throw new MycelError('SERVICE_NOT_FOUND', `service "${serviceId}" is not registered by this client`);
    }
    peer.removeService(bare);
    await this.#manager('unregister_service', [bare]);
  }

  /**
   * Gets a proxy for a service. With several instances, `mode` chooses one (see
   * {@link GetServiceOptions.mode}); the proxy stays bound to the chosen instance: call
   * `getService` again to choose again.
   */
  getService<T = never>(query: string, options: GetServiceOptions = {}): Promise<ServiceProxyOf<T>> {
    if (typeof query !== 'string' || query === '') throw new TypeError('service query must be a non-empty string');
    const pending =
      options.selectOn === 'client'
        ? this.#selectOnClient<T>(query, options)
        : (this.#manager('get_service', [query, selectionConfig(options)], this.#selectionBudgetMs(options)) as Promise<
            ServiceProxyOf<T>
          >);
    return pending.then((proxy) => {
      if (proxy !== null && typeof proxy === 'object') this.#origins.set(proxy, { query, options: { ...options } });
      return proxy;
    });
  }

  /**
   * Runs the selection that produced `proxy` again (same query, mode and options) and returns a
   * proxy for the instance chosen now. Proxies stay bound to one instance; this is how to move.
   *
   * @example
   * let worker = await api.getService<Task>('task', { mode: 'select:min:get_load' });
   * // ... later, loads have changed:
   * worker = await api.reselect(worker);
   */
  reselect<P extends object>(proxy: P): Promise<P> {
    const origin = proxy !== null && typeof proxy === 'object' ? this.#origins.get(proxy) : undefined;
    if (!origin) throw new TypeError('reselect needs a proxy returned by getService of this client');
    return this.getService(origin.query, origin.options) as Promise<unknown> as Promise<P>;
  }

  /** The info of the instance `getService` would choose. */
  async getServiceInfo(query: string, options: GetServiceOptions = {}): Promise<ServiceInfo> {
    if (typeof query !== 'string' || query === '') throw new TypeError('service query must be a non-empty string');
    const { timeout: _ignored, ...config } = selectionConfig(options);
    return (await this.#manager('get_service_info', [query, config], this.#selectionBudgetMs(options))) as ServiceInfo;
  }

  /**
   * Lists services: all of this workspace by default; a query string (`ws`, `*`,
   * `ws/client:svc`) or a filter object (`{service_id, client_id, type, visibility, workspace}`).
   */
  async listServices(query?: string | Record<string, unknown>): Promise<ServiceInfo[]> {
    const args = query === undefined ? [] : [query];
    return (await this.#manager('list_services', args)) as ServiceInfo[];
  }

  /** Sends a value to the hub and back. */
  async echo<V>(value: V): Promise<V> {
    return (await this.#manager('echo', [value])) as V;
  }

  // ---------------------------------------------------------------- events

  /** Asks the hub to deliver events of these types to this client. */
  async subscribe(types: string | readonly string[]): Promise<void> {
    const list = typeof types === 'string' ? [types] : [...types];
    await this.#manager('subscribe', [list]);
    // Remembered (and restored after a reconnection) only once the hub accepted them.
    for (const type of list) this.#subscriptions.add(type);
  }

  /** Stops delivery of these event types. */
  async unsubscribe(types: string | readonly string[]): Promise<void> {
    const list = typeof types === 'string' ? [types] : [...types];
    for (const type of list) this.#subscriptions.delete(type);
    await this.#manager('unsubscribe', [list]);
  }

  /**
   * Adds a listener. For hub events ({@link HUB_EVENTS} and any type given to `subscribe`) the
   * listener gets the whole message, payload in `data`; a hub event type is subscribed at the hub
   * too. Lifecycle events: `disconnected`, `reconnecting`, `reconnected`, `services_registered`,
   * `closed`.
   */
  on<D = unknown>(type: string, listener: (event: HubEvent<D>) => void): void {
    this.#events.on(type, listener as Listener);
    if (!(HUB_EVENTS as readonly string[]).includes(type) || this.#subscriptions.has(type)) return;
    if (!this.isConnected) {
      // Not connected now: the reconnection subscribes it with the others.
      this.#subscriptions.add(type);
      return;
    }
    this.subscribe(type).catch((error: unknown) => this.#log.warn?.({ event: type, err: String(error) }, 'subscribe failed'));
  }

  /** Removes a listener (or all listeners of `type`). */
  off(type: string, listener?: (event: HubEvent) => void): void {
    this.#events.off(type, listener as Listener | undefined);
  }

  /** Adds a listener that runs once. */
  once<D = unknown>(type: string, listener: (event: HubEvent<D>) => void): void {
    this.#events.once(type, listener as Listener);
  }

  /** Sends an event: to `"*"` (every subscriber in the workspace, the default) or to one client. */
  async emit(message: { type: string; to?: string; data?: unknown; [key: string]: unknown }): Promise<void> {
    if (typeof message?.type !== 'string' || message.type === '') throw new TypeError('event needs a "type"');
    this.#requirePeer().emit({ ...message, to: message.to ?? '*' });
  }

  // ---------------------------------------------------------------- lifecycle

  /** Closes the connection for good: pending calls are rejected, no reconnection. */
  async disconnect(): Promise<void> {
    if (this.#state === 'closed') return;
    this.#state = 'closed';
    this.#reconnect.stop();
    clearInterval(this.#refreshTimer);
    this.#peer?.close(new MycelError('CONNECTION_CLOSED', 'client disconnected'));
    this.#transport?.close(1000, 'client disconnected');
    this.#events.emit('closed', { reason: 'disconnect' });
    this.#events.clear();
  }

  // ---------------------------------------------------------------- snake_case aliases (hypha-rpc)

  /** Alias of {@link registerService}. */
  register_service<T extends Record<string, unknown>>(service: ServiceDefinition<T>, options?: RegisterServiceOptions): Promise<ServiceInfo> {
    return this.registerService(service, options);
  }
  /** Alias of {@link unregisterService}. */
  unregister_service(serviceId: string): Promise<void> {
    return this.unregisterService(serviceId);
  }
  /** Alias of {@link getService}. */
  get_service<T = never>(query: string, options?: GetServiceOptions): Promise<ServiceProxyOf<T>> {
    return this.getService<T>(query, options);
  }
  /** Alias of {@link getServiceInfo}. */
  get_service_info(query: string, options?: GetServiceOptions): Promise<ServiceInfo> {
    return this.getServiceInfo(query, options);
  }
  /** Alias of {@link listServices}. */
  list_services(query?: string | Record<string, unknown>): Promise<ServiceInfo[]> {
    return this.listServices(query);
  }

  // ---------------------------------------------------------------- internals

  #requirePeer(): RpcPeer {
    if (this.#state === 'closed') throw new MycelError('CONNECTION_CLOSED', 'client is disconnected');
    if (!this.#peer) throw new MycelError('CONNECTION_CLOSED', 'client is not connected');
    return this.#peer;
  }

  #methodTimeoutMs(): number {
    const { methodTimeoutMs, method_timeout: seconds } = this.#options;
    return methodTimeoutMs ?? (seconds === undefined ? DEFAULT_METHOD_TIMEOUT_MS : seconds * 1000);
  }

  /** A selection can take `select_timeout` plus the service fetch: the call must outlast both. */
  #selectionBudgetMs(options: GetServiceOptions): number {
    const selectMs = (options.select_timeout ?? DEFAULT_SELECT_TIMEOUT_MS / 1000) * 1000;
    const fetchMs = (options.timeout ?? DEFAULT_GET_SERVICE_TIMEOUT_S) * 1000;
    return Math.max(this.#methodTimeoutMs(), selectMs + fetchMs + 1000);
  }

  #manager(method: string, args: unknown[], timeoutMs?: number): Promise<unknown> {
    let peer: RpcPeer;
    try {
      peer = this.#requirePeer();
    } catch (error) {
      return Promise.reject(error);
    }
    return peer.call(this.#managerId, `services.default.${method}`, args, timeoutMs ? { timeoutMs } : {});
  }

  /** Runs a `select:` mode here: list the instances, probe them through the hub, fetch the winner. */
  async #selectOnClient<T>(query: string, options: GetServiceOptions): Promise<ServiceProxyOf<T>> {
    const chosen = await chooseOnClient(this.#requirePeer(), query, options, this.config.workspace, (method, args) =>
      this.#manager(method, args),
    );
    const timeout = options.timeout ?? DEFAULT_GET_SERVICE_TIMEOUT_S;
    return (await this.#manager('get_service', [chosen, { timeout }], this.#selectionBudgetMs(options))) as ServiceProxyOf<T>;
  }

  async #connect(): Promise<void> {
    const { transport, info } = await openWebSocketTransport(
      this.#url,
      {
        client_id: this.#clientId,
        workspace: this.#options.workspace,
        token: this.#options.token,
        reconnection_token: this.#reconnectionToken,
      },
      { WebSocket: this.#options.WebSocket, timeoutMs: this.#options.handshakeTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS },
    );
    if (this.#options.workspace && info.workspace !== this.#options.workspace) {
      transport.close(1000, 'wrong workspace');
      throw new MycelError('CONNECTION_CLOSED', `connected to workspace "${info.workspace}", expected "${this.#options.workspace}"`);
    }
    if (this.#state === 'closed') {
      transport.close(1000, 'client disconnected');
      return;
    }
    this.#attach(transport, info);
    await this.#registerAll();
  }

  #attach(transport: Transport, info: ConnectionInfo): void {
    this.#transport = transport;
    this.#refusal = undefined;
    this.#reconnectionToken = info.reconnection_token;
    this.#managerId = `*/${info.manager_id}`;
    this.config = { ...info };
    if (!this.#peer) {
      this.#peer = new RpcPeer({
        workspace: info.workspace,
        clientId: this.#clientId,
        send: (frame) => this.#send(frame),
        methodTimeoutMs: this.#methodTimeoutMs(),
        serverBaseUrl: info.public_base_url,
        logger: this.#peerLogger(),
        ...(this.#options.name !== undefined && { name: this.#options.name }),
        onEvent: (message) => {
          // Lifecycle events are raised by this client only, never by a peer.
          const type = String(message.type);
          if (type === 'client_disconnected' && message.from === this.#managerId) this.#forgetSender(message.data);
          if (!LOCAL_ONLY_EVENTS.has(type)) this.#events.emit(type, message);
        },
      });
    } else {
      this.#peer.setIdentity(info.workspace, this.#clientId);
    }
    // Only the current transport speaks: a superseded socket's last frames are not ours any more.
    transport.onMessage((message) => {
      if (transport === this.#transport) this.#onMessage(message);
    });
    transport.onClose((code, reason) => this.#onClose(transport, code, reason));
    this.#state = 'open';
    // Keep the reconnection token fresh (hub tokens live `reconnection_token_life_time` seconds).
    clearInterval(this.#refreshTimer);
    const everyMs = Math.min(TOKEN_REFRESH_INTERVAL_MS, (info.reconnection_token_life_time * 1000) / 1.5);
    this.#refreshTimer = setInterval(() => {
      try {
        if (transport === this.#transport && this.#state === 'open') transport.send(JSON.stringify({ type: 'refresh_token' }));
      } catch (error) {
        this.#log.debug?.({ err: String(error) }, 'token refresh not sent');
      }
    }, Math.max(everyMs, 1000));
    this.#refreshTimer.unref?.();
  }

  /**
   * A client left (or its connection was superseded): the chunks it was sending are dropped, so
   * they neither hold memory nor meet the next connection with the same id. The hub sends this
   * to subscribers and to every client that peer sent chunks to.
   */
  #forgetSender(data: unknown): void {
    const { id, workspace } = (data ?? {}) as { id?: unknown; workspace?: unknown };
    if (typeof id !== 'string') return;
    const sender = id.includes('/') || typeof workspace !== 'string' ? id : `${workspace}/${id}`;
    this.#peer?.forgetChunksFrom(sender);
  }

  #send(frame: Uint8Array): void {
    if (!this.#transport || this.#state !== 'open') throw new MycelError('CONNECTION_CLOSED', 'not connected to the hub');
    this.#transport.send(frame);
  }

  #onMessage(message: TransportMessage): void {
    if (typeof message !== 'string') {
      this.#peer?.handleFrame(message);
      return;
    }
    let control: { type?: unknown; reconnection_token?: unknown; message?: unknown };
    try {
      control = JSON.parse(message) as typeof control;
    } catch {
      this.#log.warn?.({}, 'ignored text frame that is not JSON');
      return;
    }
    if (control.type === 'reconnection_token' && typeof control.reconnection_token === 'string') {
      this.#reconnectionToken = control.reconnection_token;
    } else if (control.type === 'error') {
      // The hub closes right after: do not come back (superseded, or refused).
      this.#refusal = String(control.message ?? 'refused by the hub');
      this.#log.warn?.({ reason: this.#refusal }, 'hub sent an error');
    }
  }

  /** Registers `built-in` and every local service, then restores subscriptions. */
  async #registerAll(): Promise<void> {
    const peer = this.#requirePeer();
    const failed: string[] = [];
    const services = peer.listServices();
    for (const service of services) {
      try {
        await this.#manager('register_service', [peer.serviceInfo(service.id)]);
      } catch (error) {
        if (service.id === 'built-in') throw error;
        failed.push(service.id);
        this.#log.warn?.({ service: service.id, err: String(error) }, 're-registration failed');
      }
    }
    if (this.#subscriptions.size > 0) {
      // A refused subscription must not keep the client from coming back: log it and go on.
      await this.#manager('subscribe', [[...this.#subscriptions]]).catch((error: unknown) =>
        this.#log.warn?.({ events: [...this.#subscriptions], err: String(error) }, 're-subscription failed'),
      );
    }
    this.#events.emit('services_registered', {
      total: services.length,
      registered: services.length - failed.length,
      failed,
    });
  }

  #onClose(transport: Transport, code: number, reason: string): void {
    if (transport !== this.#transport || this.#state !== 'open') return;
    const error = new MycelError('CONNECTION_CLOSED', `connection to the hub closed (code ${code}${reason ? `: ${reason}` : ''})`);
    this.#peer?.rejectAll(error);
    this.#events.emit('disconnected', { code, reason });
    if (!this.#policy.enabled || this.#refusal !== undefined) {
      this.#giveUp(this.#refusal ?? reason);
      return;
    }
    this.#state = 'reconnecting';
    this.#reconnect.start();
  }

  #giveUp(reason: string): void {
    this.#state = 'closed';
    this.#reconnect.stop();
    clearInterval(this.#refreshTimer);
    this.#peer?.close(new MycelError('CONNECTION_CLOSED', `connection to the hub lost: ${reason}`));
    this.#events.emit('closed', { reason });
  }

  #peerLogger(): PeerLogger {
    const log = this.#log;
    return {
      warn: (obj, msg) => log.warn?.(obj, msg),
      debug: (obj, msg) => log.debug?.(obj, msg),
    };
  }
}

/** The `config` argument of the manager's `get_service` / `get_service_info`. */
function selectionConfig(options: GetServiceOptions): Record<string, unknown> {
  const config: Record<string, unknown> = {};
  if (options.mode !== undefined) config.mode = options.mode;
  if (options.select_timeout !== undefined) config.select_timeout = options.select_timeout;
  if (options.timeout !== undefined) config.timeout = options.timeout;
  return config;
}
