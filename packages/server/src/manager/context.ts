/**
 * What every part of the manager's service shares: the registry, the router, the client table,
 * the hub's options, the manager's own peer, and the event and call-budget helpers.
 */
import type { Clock, Mode, RpcPeer, WorkspaceStatus } from '@mycel/protocol';
import type { Logger } from 'pino';
import type { ClientConnection } from '../connection.js';
import type { Drains } from '../health/draining.js';
import type { ResolvedHubOptions } from '../hub-options.js';
import type { Registry } from '../registry.js';
import type { VirtualTargets } from '../virtual-targets.js';
import type { CallBudget } from './call-budget.js';

/** What selections tell the hub's metrics. */
export interface SelectionObserver {
  /** A selection by `mode` ended; `probes` were sent, `answered` of them with a number in time. */
  selected(mode: Mode, probes: number, answered: number): void;
}

/** The manager's parts see the hub through this. */
export interface ManagerContext {
  readonly registry: Registry;
  /** The targets of `balance:` proxies. */
  readonly virtualTargets: VirtualTargets;
  readonly clients: ReadonlyMap<string, ClientConnection>;
  readonly options: ResolvedHubOptions;
  readonly logger: Logger;
  readonly clock: Clock;
  /** The manager's peer: calls out to providers go through it. */
  readonly peer: RpcPeer;
  /** An instance joined or left: calls waiting for capacity try again. */
  servicesChanged(): void;
  /** Sends a hub event to the subscribers of `workspace`; returns how many copies went out. */
  emit(workspace: string, type: string, data: unknown): number;
  /**
   * Runs an operation that makes the manager call out on `context.from`'s behalf, within that
   * client's budget of such operations; it stops once that client is gone (`call-budget.ts`).
   */
  onBehalfOf: CallBudget;
  /** The clients draining, and their drains. */
  readonly drains: Drains<ClientConnection>;
  /** Told of every selection, when metrics are on. */
  readonly observer: SelectionObserver | undefined;
  /** The status of a workspace (`status/workspace-status.ts`). */
  status(workspace: string, serviceId?: string): WorkspaceStatus;
}

/** The functions of one concern of the manager service, by name (each made with `withParamNames`). */
export type ManagerFunctions = Record<string, unknown>;

/** `value` when it is a plain object, otherwise an empty one (config fields are optional). */
export function asRecord(value: unknown): Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

/** A caller-chosen timeout in seconds, clamped to the hub's `methodTimeoutMs`; `fallbackMs` when absent. */
export function clampTimeoutMs(seconds: unknown, fallbackMs: number, options: ResolvedHubOptions): number {
  const ms = typeof seconds === 'number' && seconds > 0 ? seconds * 1000 : fallbackMs;
  return Math.min(ms, options.methodTimeoutMs);
}
