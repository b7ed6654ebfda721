/**
 * The client's link to its hub: one transport at a time (opened by an {@link OpenTransport}), the
 * RPC peer on it, the handshake facts, control frames and token refresh, and the reconnection
 * loop that replaces a lost transport and re-registers everything. `MycelClient` (`connect.ts`)
 * is the API on top.
 */
import { MycelError, RpcPeer, type ConnectionInfo, type PeerLogger } from '@mycel/protocol';
import { readControlMessage, startTokenRefresh } from './control-messages.js';
import type { Emitter } from './events.js';
import { LOCAL_ONLY_EVENTS, type ClientLogger, type ConnectOptions } from './options.js';
import { OutageQueue } from './outage-queue.js';
import { registerAll } from './re-register.js';
import { connectWaitingForHub } from './wait-for-hub.js';
import { ReconnectLoop, reconnectPolicy, type ReconnectPolicy } from './reconnect.js';
import type { OpenTransport, Transport, TransportMessage } from './transport.js';

/** Where a link stands. */
export type LinkState = 'connecting' | 'open' | 'reconnecting' | 'closed';

/** What a {@link HubLink} works with. */
export interface HubLinkOptions {
  readonly options: ConnectOptions;
  readonly clientId: string;
  readonly open: OpenTransport;
  /** Method timeout of the peer's calls. */
  readonly methodTimeoutMs: number;
  readonly log: ClientLogger;
  /** Where hub events and lifecycle events go. */
  readonly events: Emitter;
  /** The event types to subscribe to again after a reconnection. */
  readonly subscriptions: ReadonlySet<string>;
  /** Runs when the peer exports a long-lived interface (the client then watches for holders leaving). */
  readonly onLongLivedExport?: () => void;
}

/** A client's connection to its hub, kept alive across transports. */
export class HubLink {
  /** Connection facts from the hub (`workspace`, `client_id`, `manager_id`, `user`, ...). */
  config: ConnectionInfo & Record<string, unknown> = {} as ConnectionInfo & Record<string, unknown>;
  readonly #o: HubLinkOptions;
  readonly #log: ClientLogger;
  readonly #events: Emitter;
  readonly #policy: ReconnectPolicy;
  readonly #reconnect: ReconnectLoop;
  #peer: RpcPeer | undefined;
  #transport: Transport | undefined;
  #managerId = '';
  #reconnectionToken: string | undefined;
  #state: LinkState = 'connecting';
  #refusal: string | undefined;
  #refreshTimer: ReturnType<typeof setInterval> | undefined;
  readonly #held = new OutageQueue();

  constructor(options: HubLinkOptions) {
    this.#o = options;
    this.#log = options.log;
    this.#events = options.events;
    this.#reconnectionToken = options.options.reconnection_token;
    this.#policy = reconnectPolicy(options.options.reconnect);
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
  }

  /** Where the link stands. */
  get state(): LinkState {
    return this.#state;
  }

  /** The first connection; rejects when it fails, after waiting up to `waitForHubMs` for the hub. */
  connectFirst(): Promise<void> {
    const waitMs = this.#o.options.waitForHubMs ?? 0;
    if (!(waitMs > 0)) return this.#connect();
    return connectWaitingForHub(() => this.#connect(), waitMs, this.#policy, this.#log);
  }

  /** The peer, or `CONNECTION_CLOSED` when the link is closed or never opened. */
  requirePeer(): RpcPeer {
    if (this.#state === 'closed') throw new MycelError('CONNECTION_CLOSED', 'client is disconnected');
    if (!this.#peer) throw new MycelError('CONNECTION_CLOSED', 'client is not connected');
    return this.#peer;
  }

  /** Calls a function of the hub's manager service. */
  callManager(method: string, args: unknown[], timeoutMs?: number): Promise<unknown> {
    let peer: RpcPeer;
    try {
      peer = this.requirePeer();
    } catch (error) {
      return Promise.reject(error);
    }
    return peer.call(this.#managerId, `services.default.${method}`, args, timeoutMs ? { timeoutMs } : {});
  }

  /** Closes for good: pending calls are rejected, no reconnection. */
  close(): void {
    if (this.#state === 'closed') return;
    this.#state = 'closed';
    this.#reconnect.stop();
    clearInterval(this.#refreshTimer);
    this.#held.clear();
    this.#peer?.close(new MycelError('CONNECTION_CLOSED', 'client disconnected'));
    this.#transport?.close(1000, 'client disconnected');
  }

  async #connect(): Promise<void> {
    const { transport, info } = await this.#o.open({
      client_id: this.#o.clientId,
      workspace: this.#o.options.workspace,
      token: this.#o.options.token,
      reconnection_token: this.#reconnectionToken,
    });
    if (this.#o.options.workspace && info.workspace !== this.#o.options.workspace) {
      transport.close(1000, 'wrong workspace');
      throw new MycelError('CONNECTION_CLOSED', `connected to workspace "${info.workspace}", expected "${this.#o.options.workspace}"`);
    }
    if (this.#state === 'closed') {
      transport.close(1000, 'client disconnected');
      return;
    }
    this.#attach(transport, info);
    await this.#registerAll();
    // Calls made during the outage go out once services and subscriptions are back.
    const peer = this.#peer;
    if (peer) this.#held.flush((frame) => this.#transport?.send(frame), (session) => peer.isWaiting(session));
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
        clientId: this.#o.clientId,
        send: (frame, meta) => this.#send(frame, meta.session),
        methodTimeoutMs: this.#o.methodTimeoutMs,
        serverBaseUrl: info.public_base_url,
        logger: this.#peerLogger(),
        ...(this.#o.options.name !== undefined && { name: this.#o.options.name }),
        onLongLivedExport: this.#o.onLongLivedExport,
        onEvent: (message) => {
          // Lifecycle events are raised by this client only, never by a peer.
          const type = String(message.type);
          if (type === 'client_disconnected' && message.from === this.#managerId) this.#forgetSender(message.data);
          if (!LOCAL_ONLY_EVENTS.has(type)) this.#events.emit(type, message);
        },
      });
    } else {
      this.#peer.setIdentity(info.workspace, this.#o.clientId);
    }
    // Only the current transport speaks: a superseded socket's last frames are not ours any more.
    transport.onMessage((message) => {
      if (transport === this.#transport) this.#onMessage(message);
    });
    transport.onClose((code, reason) => this.#onClose(transport, code, reason));
    this.#state = 'open';
    clearInterval(this.#refreshTimer);
    const isCurrent = () => transport === this.#transport && this.#state === 'open';
    this.#refreshTimer = startTokenRefresh(transport, info, isCurrent, this.#log);
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
    // Long-lived interfaces given to it have nobody left to call them.
    this.#peer?.longLived.forgetHolder(sender);
  }

  /** Writes a frame; during a reconnection a call (it has a `session`) may be held for later. */
  #send(frame: Uint8Array, session: string | undefined): void {
    if (this.#transport && this.#state === 'open') {
      this.#transport.send(frame);
      return;
    }
    const mayHold = this.#state === 'reconnecting' && this.#o.options.waitForReconnect === true && session !== undefined;
    if (mayHold && this.#held.hold(frame, session)) return;
    throw new MycelError('CONNECTION_CLOSED', 'not connected to the hub');
  }

  #onMessage(message: TransportMessage): void {
    if (typeof message !== 'string') {
      this.#peer?.handleFrame(message);
      return;
    }
    const control = readControlMessage(message, this.#log);
    if (control.kind === 'token') this.#reconnectionToken = control.token;
    else if (control.kind === 'error') {
      // The hub closes right after: do not come back (superseded, or refused).
      this.#refusal = control.reason;
      this.#log.warn?.({ reason: this.#refusal }, 'hub sent an error');
    }
  }

  /** Registers `built-in` and every local service, then restores subscriptions. */
  async #registerAll(): Promise<void> {
    const manager = (method: string, args: unknown[]) => this.callManager(method, args);
    const summary = await registerAll(this.requirePeer(), manager, this.#o.subscriptions, this.#log);
    this.#events.emit('services_registered', summary);
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
    this.#held.clear();
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
