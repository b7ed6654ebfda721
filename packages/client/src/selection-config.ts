/**
 * What `getService` and `getServiceInfo` send the hub's manager as `config`, and how long the
 * client waits for the answer.
 */
import { DEFAULT_SELECT_TIMEOUT_MS } from '@mycel/protocol';
import { DEFAULT_GET_SERVICE_TIMEOUT_S } from './options.js';
import type { GetServiceOptions } from './types.js';

/**
 * The `config` argument of the manager's `get_service` / `get_service_info`: every option but
 * the SDK's own (`selectOn`), as the official clients pass theirs; the hub checks the fields it
 * knows and ignores the rest.
 */
export function selectionConfig(options: GetServiceOptions): Record<string, unknown> {
  const config: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(options)) {
    if (value !== undefined && !SDK_ONLY_OPTIONS.has(name)) config[name] = value;
  }
  return config;
}

/** Options of `getService` that only this SDK reads. */
const SDK_ONLY_OPTIONS: ReadonlySet<string> = new Set(['selectOn']);

/** A selection can take `select_timeout` plus the service fetch: the call must outlast both. */
export function selectionBudgetMs(options: GetServiceOptions, methodTimeoutMs: number): number {
  const selectMs = (options.select_timeout ?? DEFAULT_SELECT_TIMEOUT_MS / 1000) * 1000;
  const fetchMs = (options.timeout ?? DEFAULT_GET_SERVICE_TIMEOUT_S) * 1000;
  return Math.max(methodTimeoutMs, selectMs + fetchMs + 1000);
}
