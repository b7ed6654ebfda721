/**
 * Everything an RPC peer sends: its calls (and the settling of their answers), notifications,
 * events, and the fire-and-forget replies to the calls it runs. `peer.ts` owns the peer's state and
 * the incoming side; this file turns outgoing messages into frames.
 */
import type { CallTable, Session } from './call-table.js';
import { callBody } from './call-body.js';
import { FrameSender, messageTooLarge } from './chunked-send.js';
import { encodeFrame } from './codec.js';
import { errorToPayload, MycelError } from './errors.js';
import { splitPeerId } from './ids.js';
import { DEFAULT_LIMITS } from './limits.js';
import type { PeerHooks } from './peer-hooks.js';
import type { CallOptions, FrameMeta, PeerLogger } from './peer-options.js';
import { decodeValue, encodeValue, isPlain } from './values.js';

/** What the outgoing side needs from its peer. */
export interface OutgoingHost {
  /** The peer's address now (it changes when a client reconnects under another identity). */
  peerId(): string;
  workspace(): string;
  /** The error the peer was closed with, if it was. */
  closedError(): MycelError | undefined;
  send: (frame: Uint8Array, meta: FrameMeta) => void;
  stamp: ((to: string) => Record<string, unknown>) | undefined;
  calls: CallTable;
  hooks: PeerHooks;
  logger: PeerLogger | undefined;
  methodTimeoutMs: number;
  maxMessageBytes: number;
}

/** The sending side of one peer. */
export class Outgoing {
  readonly #host: OutgoingHost;
  /** Sends method frames: whole, or in chunks when large. */
  readonly #sender: FrameSender;

  constructor(host: OutgoingHost) {
    this.#host = host;
    this.#sender = new FrameSender({
      send: host.send,
      call: (target, method, args) => this.call(target, method, args),
      maxMessageBytes: host.maxMessageBytes,
    });
  }

  /** `RpcPeer.call`: see there. */
  call(target: string, method: string, args: readonly unknown[] = [], options: CallOptions = {}): Promise<unknown> {
    const host = this.#host;
    const closed = host.closedError();
    if (closed) return Promise.reject(closed);
    const calls = host.calls;
    const refusal = calls.refusal();
    if (refusal) return Promise.reject(refusal);
    const timeoutMs = options.timeoutMs ?? host.methodTimeoutMs;
    if (!(timeoutMs > 0) || !Number.isFinite(timeoutMs)) {
      return Promise.reject(new TypeError(`timeoutMs must be a positive finite number, got ${timeoutMs}`));
    }
    const heartbeats = options.heartbeats ?? true;
    const session = calls.open(target);
    let frame: Uint8Array;
    try {
      const extra = callBody({
        args,
        kwargs: options.kwargs,
        timeoutMs,
        hooks: () => host.hooks.forSession(session, host.workspace()),
      });
      const header = this.#header(target, method, session.id);
      if (options.balanceKey !== undefined) header.balance_key = options.balanceKey;
      frame = encodeFrame(header, extra);
    } catch (error) {
      calls.discard(session.id);
      return Promise.reject(MycelError.from(error, 'BAD_MESSAGE'));
    }
    return new Promise((resolve, reject) => {
      calls.wait(session, { method, timeoutMs, heartbeats }, resolve, reject);
      const fail = (error: unknown) => calls.settle(session.id, undefined, MycelError.from(error, 'CONNECTION_CLOSED'));
      try {
        // Each chunk that lands counts as progress of the call: a large upload does not time out.
        this.#sender.send(frame, { to: target, session: session.id }, `call "${method}"`, undefined, () => calls.touch(session.id, false, target))?.catch(fail);
      } catch (error) {
        fail(error);
      }
    });
  }

  /** Settles one of this peer's calls with its answer (`resolve`/`reject`), or restarts its timer (`heartbeat`). */
  answer(session: Session, key: 'resolve' | 'reject' | 'heartbeat', from: string, raw: unknown): void {
    const calls = this.#host.calls;
    if (key === 'heartbeat') {
      calls.touch(session.id, true, from);
      return;
    }
    let value: unknown;
    try {
      value = isPlain(raw) ? raw : decodeValue(raw, this.#host.hooks.forSession(session, splitPeerId(from).workspace));
    } catch (error) {
      calls.settle(session.id, undefined, MycelError.from(error, 'BAD_MESSAGE'));
      return;
    }
    if (key === 'resolve') calls.settle(session.id, value);
    else calls.settle(session.id, undefined, value instanceof Error ? value : MycelError.from(value, 'REMOTE_ERROR'));
  }

  /** `RpcPeer.notify`: see there. */
  notify(target: string, method: string, args: readonly unknown[] = []): void {
    const host = this.#host;
    if (host.closedError()) return;
    try {
      const encoded = encodeValue(args, host.hooks.forReply(target), 'arg') as unknown[];
      const frame = encodeFrame(this.#header(target, method), { args: encoded });
      this.#sender.send(frame, { to: target }, `message to "${method}"`)?.catch((error: unknown) =>
        host.logger?.warn({ target, method, err: String(error) }, 'notify failed'),
      );
    } catch (error) {
      host.logger?.warn({ target, method, err: String(error) }, 'notify failed');
    }
  }

  /** `RpcPeer.emit`: see there. */
  emit(message: Record<string, unknown> & { type: string; to: string }): void {
    const host = this.#host;
    const closed = host.closedError();
    if (closed) throw closed;
    // Object.assign, not `{ ...message, from }`: V8 builds a spread with extra keys on a slow path.
    const frame = encodeFrame(Object.assign({}, message, { from: host.peerId() }, host.stamp?.(message.to)));
    // Events are never chunked (nor are they by hypha-rpc); one over the hub's frame limit would
    // cost the sender its connection, so it is refused here.
    if (frame.length > DEFAULT_LIMITS.maxPayloadBytes) throw messageTooLarge(`event "${message.type}"`, frame.length, DEFAULT_LIMITS.maxPayloadBytes);
    host.send(frame, { to: message.to });
  }

  /** Sends a fire-and-forget answer. Functions inside it are exported for `target` only. */
  reply(target: string, method: string, value: unknown, noArgs = false): void {
    const host = this.#host;
    if (host.closedError()) return;
    const failed = (error: unknown) => {
      const err = MycelError.from(error, 'BAD_MESSAGE');
      host.logger?.warn({ target, method, err: err.message }, 'reply failed');
      // A result that cannot be encoded or sent must still end the caller's call.
      if (method.endsWith('.resolve')) this.reply(target, method.replace(/\.resolve$/, '.reject'), errorToPayload(err));
    };
    try {
      const extra = noArgs ? { args: [] } : { args: [isPlain(value) ? (value ?? null) : encodeValue(value, host.hooks.forReply(target), 'result')] };
      const frame = encodeFrame(this.#header(target, method), extra);
      const session = method.slice(0, method.lastIndexOf('.'));
      this.#sender.send(frame, { to: target }, method.endsWith('.resolve') ? 'result' : `message to "${method}"`, session)?.catch(failed);
    } catch (error) {
      failed(error);
    }
  }

  /** The header of a method frame to `to` (with the call's `session` when it expects an answer). */
  #header(to: string, method: string, session?: string): Record<string, unknown> {
    const header: Record<string, unknown> = { type: 'method', from: this.#host.peerId(), to, method };
    const stamp = this.#host.stamp;
    if (stamp) Object.assign(header, stamp(to));
    // The call's own session wins over anything a stamp says.
    if (session !== undefined) header.session = session;
    return header;
  }
}
