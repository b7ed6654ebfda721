/**
 * Discovery: the manager's `list_services`, `get_service_info` and `get_service`. A query names
 * instances in the registry; the access policy filters them; the mode's strategy (`balancing/`)
 * picks one; its description is fetched from the provider once per registration.
 */
import {
  DEFAULT_GET_SERVICE_TIMEOUT_MS,
  DEFAULT_SELECT_TIMEOUT_MS,
  isPerCallMode,
  MycelError,
  packValue,
  parseMode,
  parseServiceQuery,
  withParamNames,
  type CallContext,
  type Mode,
  type ServiceAddress,
} from '@mycel/protocol';
import { mayList, mayUse } from '../access-policy.js';
import { callerConfigFrom, type CallerConfig } from '../balancing/caller-config.js';
import { chooseInstance } from '../balancing/strategies.js';
import { isDraining } from '../health/draining.js';
import { freshMetric, noteMetric } from '../instance-state.js';
import { MissingFunctionCount } from './missing-select-function.js';
import { listFilterFromQuery, type ListQuery } from '../list-query.js';
import type { ServiceRecord } from '../registry.js';
import { balancedInfo, balancedTarget, describeBalanced } from './balanced-service.js';
import { asRecord, clampTimeoutMs, type ManagerContext, type ManagerFunctions } from './context.js';

/**
 * The discovery functions of the manager's service.
 *
 * @param describeSelf the manager service's own info, for `get_service_info("~")`
 */
export function discoveryFunctions(ctx: ManagerContext, describeSelf: () => Record<string, unknown>): ManagerFunctions {
  const { registry, peer, logger, clock, options, virtualTargets } = ctx;

  /**
   * The provider's description of a registered service (its functions as method descriptors),
   * fetched once per registration: it cannot change without a new registration, which makes a
   * new record. Saves a round trip to the provider on every later `get_service`.
   */
  const descriptions = new WeakMap<ServiceRecord, Promise<Record<string, unknown>>>();
  const describe = (record: ServiceRecord, timeoutMs: number): Promise<Record<string, unknown>> => {
    let description = descriptions.get(record);
    if (!description) {
      description = peer.getRemoteService(record.peerId, record.serviceId, { timeoutMs, heartbeats: false });
      descriptions.set(record, description);
      description.catch(() => descriptions.delete(record));
    }
    return description;
  };

  /** What a `get_service` / `get_service_info` asks for: the query parsed, the mode and config checked. */
  const readAsk = (query: unknown, config: unknown, context: CallContext) => {
    if (typeof query !== 'string' || query === '') throw new MycelError('BAD_MESSAGE', 'service id must be a non-empty string');
    const cfg = callerConfigFrom(config);
    const address = parseServiceQuery(query, context.ws);
    const mode = parseMode(cfg.mode, address.workspace);
    return { query, cfg, address, mode };
  };

  const select = async (query: string, cfg: CallerConfig, address: ServiceAddress, mode: Mode, context: CallContext): Promise<ServiceRecord> => {
    // The probe round's bound: `select_timeout` seconds, clamped to the hub's `methodTimeoutMs`.
    const timeoutMs = clampTimeoutMs(cfg.selectTimeoutS, DEFAULT_SELECT_TIMEOUT_MS, options);
    const candidates = takingCalls(query, registry.find(address).filter((r) => mayUse(r, context.ws)));
    const missing = new MissingFunctionCount();
    let probes = 0;
    let answered = 0;
    const selection = await chooseInstance(candidates, mode, {
      query,
      group: registry.group(address.workspace, address.serviceId),
      clock,
      random: Math.random,
      timeoutMs,
      // An absolute deadline: a probe that heartbeats must not outlive its round.
      probe: (record, ms) => {
        if (mode.kind !== 'select') return Promise.resolve(undefined);
        probes++;
        return missing.watch(peer.call(record.peerId, `services.${record.serviceId}.${mode.fn}`, [], { timeoutMs: ms, heartbeats: false }));
      },
      // Load reports: each answer is kept (a newer one wins however late an older one comes).
      onValue: (record, value, sentAt) => {
        if (mode.kind !== 'select') return;
        if (value !== undefined) answered++;
        noteMetric(record.state, mode.fn, value, sentAt);
      },
      freshValue: (record, fn) => freshMetric(record.state, fn, clock.now(), options.loadReportMaxAgeMs),
    });
    if (mode.kind === 'select') missing.check(query, mode.fn, String(cfg.mode), candidates.length, cfg.isStrict, logger);
    ctx.observer?.selected(mode, probes, answered);
    logger.debug({ query, mode: cfg.mode, chosen: selection.candidate.id, reason: selection.reason }, 'service selected');
    return selection.candidate;
  };

  /** A `balance:` proxy's virtual target, and the instance whose description it shows. */
  const balanced = (ask: ReturnType<typeof readAsk>, context: CallContext) => {
    const { query, cfg, address, mode } = ask;
    if (!isPerCallMode(mode)) throw new MycelError('INTERNAL', 'not a balance mode');
    const owner = context.from;
    const found = balancedTarget(
      { owner, ownerWorkspace: context.ws, query, address, mode, config: cfg },
      registry.find(address).filter((r) => !isDraining(r)),
      virtualTargets,
    );
    // Counted once per proxy; its per-call choices show in each instance's calls.
    ctx.observer?.selected(mode, 0, 0);
    logger.debug({ query, mode: cfg.mode, owner, target: found.target.peerId }, 'balanced service');
    return found;
  };

  return {
    list_services: withParamNames((query: unknown, includeUnlisted: unknown, context: CallContext) => {
      const filter = listFilterFromQuery(query as ListQuery, context.ws);
      const scope = { includeUnlisted: includeUnlisted === true, isAcrossWorkspaces: filter.workspace === '*' };
      const records = registry.list(filter).filter((r) => mayList(r, context.ws, scope));
      checkReplySize(records, options.maxListReplyBytes);
      return records.map((r) => r.info);
    }, ['query', 'include_unlisted', 'context']),

    get_service_info: withParamNames(async (serviceId: unknown, config: unknown, context: CallContext) => {
      if (serviceId === '~') return describeSelf();
      const ask = readAsk(serviceId, config, context);
      if (isPerCallMode(ask.mode)) {
        const { target, describedBy } = balanced(ask, context);
        return balancedInfo(describedBy, target);
      }
      const record = await ctx.onBehalfOf(context, () => select(ask.query, ask.cfg, ask.address, ask.mode, context));
      return record.info;
    }, ['service_id', 'config', 'context']),

    get_service: withParamNames(async (serviceId: unknown, config: unknown, context: CallContext) => {
      if (serviceId === '~') return peer.describeService('default');
      const ask = readAsk(serviceId, config, context);
      const timeoutMs = clampTimeoutMs(ask.cfg.timeoutS, DEFAULT_GET_SERVICE_TIMEOUT_MS, options);
      return ctx.onBehalfOf(context, async (checkpoint) => {
        if (isPerCallMode(ask.mode)) {
          const { target, describedBy } = balanced(ask, context);
          return describeBalanced(await describe(describedBy, timeoutMs), describedBy, target);
        }
        const record = await select(ask.query, ask.cfg, ask.address, ask.mode, context);
        // A probe round can take seconds: the requester may have left meanwhile.
        checkpoint();
        const remote = await describe(record, timeoutMs);
        return { ...remote, id: record.id, config: { ...asRecord(remote.config), workspace: record.workspace } };
      });
    }, ['service_id', 'config', 'context']),
  };
}

/**
 * The candidates that take new calls: draining instances are skipped; when every candidate is
 * draining, the selection is refused with a message that says so.
 */
function takingCalls(query: string, candidates: ServiceRecord[]): ServiceRecord[] {
  const taking = candidates.filter((r) => !isDraining(r));
  if (taking.length === 0 && candidates.length > 0) {
    throw new MycelError('SERVICE_NOT_FOUND', `every instance of service "${query}" is draining (${candidates.length}): none takes new calls`);
  }
  return taking;
}

/** Packed size of each listed service info, computed once per registration. */
const infoSizes = new WeakMap<Record<string, unknown>, number>();

/** Refuses a list whose reply would be larger than `maxBytes` (packed), before building it. */
function checkReplySize(records: readonly ServiceRecord[], maxBytes: number): void {
  let bytes = 0;
  for (const record of records) {
    let size = infoSizes.get(record.info);
    if (size === undefined) {
      size = packValue(record.info).length;
      infoSizes.set(record.info, size);
    }
    bytes += size;
    if (bytes > maxBytes) {
      throw new MycelError(
        'LIMIT_EXCEEDED',
        `the list of ${records.length} services is larger than ${maxBytes} bytes: narrow the query (workspace, client_id, service_id, type)`,
      );
    }
  }
}
