/**
 * `connectToServer` and the client it returns: registration, discovery, selection and events over
 * one hub link (`hub-link.ts`: the transport, the handshake facts, reconnection). The API mirrors
 * hypha-rpc's, so code written for it runs with an import change; snake_case aliases are provided
 * next to the camelCase names.
 */
import { nanoid } from 'nanoid';
import {
  MycelError,
  type RpcPeer,
  splitServiceAddress,
  DEFAULT_METHOD_TIMEOUT_MS,
  type ConnectionInfo,
  type ServiceDefinition as PeerServiceDefinition,
} from '@mycel/protocol';
import { addWithKey } from './balanced-proxy.js';
import { drainOnSignal, drainThroughHub, type DrainOptions, type DrainResult } from './drain.js';
import { Emitter, type Listener } from './events.js';
import {
  DEFAULT_CONNECT_TIMEOUT_MS,
  DEFAULT_GET_SERVICE_TIMEOUT_S,
  HUB_EVENTS,
  type ClientLogger,
  type ConnectOptions,
} from './options.js';
import { HubLink } from './hub-link.js';
import { chooseOnClient } from './select-on-client.js';
import { selectionBudgetMs, selectionConfig } from './selection-config.js';
import { normaliseServerUrl, openWebSocketTransport, type OpenTransport } from './transport.js';
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
  const client = new MycelClient(options, openTransportOf(options));
  await client.connectFirst();
  const onSigterm = options.drainOnSigterm;
  if (onSigterm) {
    const stop = drainOnSignal(client, onSigterm === true ? {} : onSigterm);
    client.once('closed', stop);
  }
  return client;
}

/** A connection to a hub. Get one with {@link connectToServer}. */
export class MycelClient {
  readonly #options: ConnectOptions;
  readonly #log: ClientLogger;
  readonly #events: Emitter;
  readonly #subscriptions = new Set<string>();
  readonly #link: HubLink;
  /** How each proxy was obtained, so {@link reselect} can ask again. */
  readonly #origins = new WeakMap<object, { query: string; options: GetServiceOptions }>();

  /** @internal use {@link connectToServer} */
  constructor(options: ConnectOptions, open: OpenTransport) {
    this.#options = options;
    this.#log = options.logger ?? {};
    this.#events = new Emitter((error, type) =>
      this.#log.warn?.({ event: type, err: String(error) }, 'event listener threw'),
    );
    this.#link = new HubLink({
      options,
      clientId: options.client_id ?? options.clientId ?? nanoid(),
      open,
      methodTimeoutMs: this.#methodTimeoutMs(),
      log: this.#log,
      events: this.#events,
      subscriptions: this.#subscriptions,
      onLongLivedExport: () => this.#watchHolders(),
    });
  }

  /**
   * Long-lived interfaces are released when their holder leaves, which the hub announces with
   * `client_disconnected`: subscribed once the first one is exported.
   */
  #watchHolders(): void {
    const type = 'client_disconnected';
    if (this.#subscriptions.has(type)) return;
    this.#subscriptions.add(type);
    if (!this.isConnected) return;
    // Later: this runs while a call's arguments are being encoded.
    queueMicrotask(() => this.#manager('subscribe', [[type]]).catch((error: unknown) => this.#log.warn?.({ event: type, err: String(error) }, 'subscribe failed')));
  }

  /** Connection facts from the hub (`workspace`, `client_id`, `manager_id`, `user`, ...). */
  get config(): ConnectionInfo & Record<string, unknown> {
    return this.#link.config;
  }

  /** @internal first connection; rejects when it fails (no retry). */
  async connectFirst(): Promise<void> {
    try {
      await this.#link.connectFirst();
    } catch (error) {
      await this.disconnect();
      throw error;
    }
  }

  /** Whether the client is connected right now. */
  get isConnected(): boolean {
    return this.#link.state === 'open';
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
      if (proxy !== null && typeof proxy === 'object') {
        this.#origins.set(proxy, { query, options: { ...options } });
        addWithKey(proxy, (target, method, args, callOptions) => this.#requirePeer().call(target, method, args, callOptions));
      }
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

  /**
   * Releases long-lived interfaces this client passed to others (`longLived(fn)`, or objects
   * marked `_rintf: true`): by the object or function passed, or by its `_rintf_service_id`.
   * Returns how many were released. A holder that calls one afterwards gets `METHOD_NOT_FOUND`
   * saying it is gone. They are released too when the holder calls `_dispose()` or leaves.
   */
  disposeLongLived(target: string | object): number {
    return this.#requirePeer().longLived.dispose(target);
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

  /**
   * Drains this client: the hub sends its services no new calls, lets the calls in flight to it
   * finish (for at most `timeout` seconds, default 30), then its services leave the hub and the
   * promise resolves. The client stays connected (disconnect, or exit, when you want); its
   * services are forgotten locally, so a reconnection does not register them again.
   *
   * @example
   * process.once('SIGTERM', async () => {
   *   await api.drain({ timeout: 10 });
   *   await api.disconnect();
   *   process.exit(0);
   * });
   */
  drain(options: DrainOptions = {}): Promise<DrainResult> {
    return drainThroughHub(this.#requirePeer(), (method, args, timeoutMs) => this.#manager(method, args, timeoutMs), options);
  }

  /** Closes the connection for good: pending calls are rejected, no reconnection. */
  async disconnect(): Promise<void> {
    if (this.#link.state === 'closed') return;
    this.#link.close();
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
    return this.#link.requirePeer();
  }

  #methodTimeoutMs(): number {
    const { methodTimeoutMs, method_timeout: seconds } = this.#options;
    return methodTimeoutMs ?? (seconds === undefined ? DEFAULT_METHOD_TIMEOUT_MS : seconds * 1000);
  }

  #selectionBudgetMs(options: GetServiceOptions): number {
    return selectionBudgetMs(options, this.#methodTimeoutMs());
  }

  #manager(method: string, args: unknown[], timeoutMs?: number): Promise<unknown> {
    return this.#link.callManager(method, args, timeoutMs);
  }

  /** Runs a `select:` mode here: list the instances, probe them through the hub, fetch the winner. */
  async #selectOnClient<T>(query: string, options: GetServiceOptions): Promise<ServiceProxyOf<T>> {
    const chosen = await chooseOnClient(this.#requirePeer(), query, options, this.config.workspace, (method, args) =>
      this.#manager(method, args),
    );
    const timeout = options.timeout ?? DEFAULT_GET_SERVICE_TIMEOUT_S;
    return (await this.#manager('get_service', [chosen, { timeout }], this.#selectionBudgetMs(options))) as ServiceProxyOf<T>;
  }

}

/**
 * How the client reaches the hub: the transport opener the options give, else a WebSocket to
 * `server_url` (checked here, synchronously).
 */
function openTransportOf(options: ConnectOptions): OpenTransport {
  if (options.openTransport) return options.openTransport;
  const serverUrl = options.server_url ?? options.serverUrl;
  if (typeof serverUrl !== 'string' || serverUrl === '') throw new TypeError('server_url must be a non-empty string');
  const url = normaliseServerUrl(serverUrl);
  const timeoutMs = options.handshakeTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
  return (request) => openWebSocketTransport(url, request, { WebSocket: options.WebSocket, timeoutMs });
}

