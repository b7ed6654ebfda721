/**
 * The services a peer offers: their functions by dotted path, who may call them, and the two
 * forms they leave the peer in: the registration record (no functions) and the wire description
 * (functions as method descriptors).
 */
import { MycelError } from './errors.js';

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

/** A function a service exposes. */
export type ServiceFunction = (...args: unknown[]) => unknown;

/** One registered local service. */
export interface LocalService {
  definition: ServiceDefinition;
  config: ServiceConfig;
  functions: Map<string, ServiceFunction>;
}

/** A function found by its method path, with what the engine needs to run it. */
export interface ResolvedFunction {
  service: LocalService;
  fn: ServiceFunction;
  requireContext: boolean;
}

/** Deepest object nesting walked inside a service definition. */
const MAX_SERVICE_DEPTH = 8;

/** The local services of one peer. */
export class LocalServices {
  readonly #services = new Map<string, LocalService>();

  /** Adds a service; a `TypeError` when the id is invalid, or taken and `overwrite` is not set. */
  add(definition: ServiceDefinition, overwrite: boolean): void {
    if (typeof definition?.id !== 'string' || definition.id === '' || /[/:@.]/.test(definition.id)) {
      throw new TypeError('service id must be a non-empty string without "/", ":", "@" or "."');
    }
    if (this.#services.has(definition.id) && !overwrite) {
      throw new TypeError(`service "${definition.id}" already exists`);
    }
    const functions = new Map<string, ServiceFunction>();
    collectFunctions(definition, '', functions, 0);
    this.#services.set(definition.id, { definition, config: { ...(definition.config ?? {}) }, functions });
  }

  /** Removes a service; returns whether it existed. */
  remove(id: string): boolean {
    return this.#services.delete(id);
  }

  /** Whether a service with this id exists. */
  has(id: string): boolean {
    return this.#services.has(id);
  }

  /** Every definition, in the order they were added. */
  list(): ServiceDefinition[] {
    return [...this.#services.values()].map((s) => s.definition);
  }

  /** A service by id, or `SERVICE_NOT_FOUND`. */
  require(id: string): LocalService {
    const service = this.#services.get(id);
    if (!service) throw new MycelError('SERVICE_NOT_FOUND', `service "${id}" not found`);
    return service;
  }

  /** The function at `services.{id}.{path}` (given as `id` and `path`), if any. */
  resolve(serviceId: string, path: string): ResolvedFunction | undefined {
    const service = this.#services.get(serviceId);
    const fn = service?.functions.get(path);
    if (!service || !fn) return undefined;
    const rc = service.config.require_context;
    return { service, fn, requireContext: rc === true || (Array.isArray(rc) && rc.includes(path)) };
  }
}

/**
 * Why `from` (in `fromWorkspace`) may not use `service` of a peer in `ownWorkspace`, or undefined
 * when it may: protected services take callers of the same workspace, of an authorised workspace,
 * or the hub's manager (`*`).
 */
export function accessDenied(service: LocalService, ownWorkspace: string, fromWorkspace: string, from: string): string | undefined {
  // A long-lived interface (`long-lived.ts`) answers only the peer it was given to.
  const holder = service.config._rintf_allowed_caller;
  if (typeof holder === 'string') {
    if (from === holder) return undefined;
    return `permission denied: "${from}" may not call long-lived interface "${service.definition.id}", which was given to "${holder}"`;
  }
  const visibility = service.config.visibility ?? 'protected';
  if (visibility !== 'protected') return undefined;
  if (fromWorkspace === ownWorkspace || fromWorkspace === '*') return undefined;
  if (service.config.authorized_workspaces?.includes(fromWorkspace)) return undefined;
  return `permission denied: "${from}" may not call protected service "${service.definition.id}"`;
}

/**
 * The registration record of a service, as sent to the manager's `register_service`: full id,
 * metadata and config (with `workspace`), no functions.
 */
export function serviceInfo(service: LocalService, peerId: string, workspace: string): Record<string, unknown> {
  const d = service.definition;
  return {
    id: `${peerId}:${d.id}`,
    name: d.name ?? d.id,
    type: d.type ?? 'generic',
    description: d.description ?? '',
    docs: d.docs ?? '',
    app_id: d.app_id ?? '*',
    config: { ...service.config, workspace },
    service_schema: {},
  };
}

/**
 * Walks a service definition for its wire description: functions become what `describeFunction`
 * makes of their method path, `config` and `_`-prefixed keys (but `_dispose`) are left out, and
 * other values go through `encodeData`.
 */
export function describeMembers(
  value: Record<string, unknown>,
  serviceId: string,
  describeFunction: (method: string, fn: ServiceFunction) => unknown,
  encodeData: (value: unknown) => unknown,
  path = '',
  depth = 0,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    if (item === undefined || !isMemberKey(key, depth)) continue;
    const memberPath = path ? `${path}.${key}` : key;
    if (typeof item === 'function') out[key] = describeFunction(`services.${serviceId}.${memberPath}`, item as ServiceFunction);
    else if (isPlainObject(item) && depth < MAX_SERVICE_DEPTH) {
      out[key] = describeMembers(item, serviceId, describeFunction, encodeData, memberPath, depth + 1);
    } else out[key] = encodeData(item);
  }
  return out;
}

function collectFunctions(value: object, prefix: string, out: Map<string, ServiceFunction>, depth: number): void {
  for (const [key, item] of Object.entries(value)) {
    if (!isMemberKey(key, depth)) continue;
    const path = prefix ? `${prefix}.${key}` : key;
    if (typeof item === 'function') out.set(path, item as ServiceFunction);
    else if (isPlainObject(item) && depth < MAX_SERVICE_DEPTH) collectFunctions(item, path, out, depth + 1);
  }
}

function isMemberKey(key: string, depth: number): boolean {
  if (depth === 0 && key === 'config') return false;
  return !key.startsWith('_') || key === '_dispose';
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value) && !(value instanceof Uint8Array);
}
