/**
 * How one peer's values cross the wire: which session a local function is exported into (and so
 * who may call it back), and the callable stand-ins for remote methods. The value walk itself is
 * `values.ts`; this is the part that needs the peer's identity and sessions.
 */
import { nanoid } from 'nanoid';
import type { CallTable, Session } from './call-table.js';
import { MycelError } from './errors.js';
import { resolvePeerId } from './ids.js';
import type { ServiceFunction } from './local-services.js';
import type { LongLivedInterfaces } from './long-lived.js';
import { bindDescriptor, type MethodDescriptor, type ValueHooks } from './values.js';

/** What the hooks need from their peer. */
export interface HookHost {
  /** The peer's address now (it changes when a client reconnects under another identity). */
  peerId(): string;
  /** The peer's workspace now. */
  workspace(): string;
  /** Base URL reported as `_rserver`. */
  serverBaseUrl: string | undefined;
  calls: CallTable;
  /** The long-lived interfaces this peer exports (`long-lived.ts`). */
  longLived(): LongLivedInterfaces;
  call(target: string, method: string, args: unknown[], kwargs?: Record<string, unknown>): Promise<unknown>;
  notify(target: string, method: string, args: unknown[]): void;
}

/** The value hooks of one peer. */
export class PeerHooks {
  readonly #host: HookHost;

  constructor(host: HookHost) {
    this.#host = host;
  }

  /** Hooks that export functions into `session` and import descriptors relative to `workspace`. */
  forSession(session: Session, workspace: string): ValueHooks {
    return {
      exportFunction: (fn, name) => {
        const key = `${nanoid(10)}#${sanitise(name)}`;
        (session.callbacks ??= new Map()).set(key, fn);
        return this.descriptor(`${session.id}.${key}`, fn);
      },
      importMethod: (d) => this.#stub(normaliseDescriptor(d, workspace)),
      // Long-lived interfaces may be called by the peer the session's call went to.
      exportInterface: (value, encodeMember) => this.#host.longLived().exportObject(value, session.target, encodeMember),
      exportLongLivedFunction: (fn) => this.#host.longLived().exportFunction(fn, session.target),
    };
  }

  /** Hooks that import descriptors relative to `workspace` and refuse to export functions. */
  importOnly(workspace: string): ValueHooks {
    return {
      exportFunction: () => {
        throw new MycelError('BAD_MESSAGE', 'cannot export a function here');
      },
      importMethod: (d) => this.#stub(normaliseDescriptor(d, workspace)),
    };
  }

  /** Functions inside a reply live in a bounded reply session that only `target` may call. */
  forReply(target: string): ValueHooks {
    let hooks: ValueHooks | undefined;
    const open = (): ValueHooks => this.forSession(this.#host.calls.openForReply(target), this.#host.workspace());
    return {
      exportFunction: (fn, name) => (hooks ??= open()).exportFunction(fn, name),
      importMethod: (d) => this.#stub(normaliseDescriptor(d, this.#host.workspace())),
      exportInterface: (value, encodeMember) => this.#host.longLived().exportObject(value, target, encodeMember),
      exportLongLivedFunction: (fn) => this.#host.longLived().exportFunction(fn, target),
    };
  }

  /** The descriptor of a local function at `method` on this peer. */
  descriptor(method: string, fn: ServiceFunction): MethodDescriptor {
    const d: MethodDescriptor = {
      _rtype: 'method',
      _rtarget: this.#host.peerId(),
      _rmethod: method,
      _rpromise: '*',
      _rname: fn.name || method.slice(method.lastIndexOf('.') + 1),
    };
    if (this.#host.serverBaseUrl) d._rserver = this.#host.serverBaseUrl;
    return d;
  }

  /** A callable stand-in for a remote method; re-encoding it yields the same descriptor. */
  #stub(d: MethodDescriptor): ServiceFunction {
    const host = this.#host;
    const stub =
      d._rpromise === false
        ? (...args: unknown[]) => {
            host.notify(d._rtarget, d._rmethod, args);
          }
        : (...args: unknown[]) => {
            // hypha-rpc's JS convention: a last argument marked `_rkwargs: true` is sent as
            // keyword arguments (Python functions take them by name).
            const last = args[args.length - 1] as Record<string, unknown> | undefined;
            if (last === null || typeof last !== 'object' || last._rkwargs !== true || Array.isArray(last)) {
              return host.call(d._rtarget, d._rmethod, args);
            }
            const { _rkwargs: _, ...kwargs } = last;
            return host.call(d._rtarget, d._rmethod, args.slice(0, -1), kwargs);
          };
    Object.defineProperty(stub, 'name', { value: typeof d._rname === 'string' ? d._rname : 'remote' });
    return bindDescriptor(stub, d);
  }
}

/** A descriptor whose `_rtarget` lacks a workspace is relative to the workspace that sent it. */
export function normaliseDescriptor(d: MethodDescriptor, workspace: string): MethodDescriptor {
  const target = resolvePeerId(d._rtarget, workspace);
  return target === d._rtarget ? d : Object.assign({}, d, { _rtarget: target });
}

function sanitise(name: string): string {
  return name.replace(/[^A-Za-z0-9_]/g, '_').slice(0, 64) || 'callback';
}
