/**
 * What an incoming `method` reaches on a peer: a function of a local service
 * (`services.{id}.{path}`, with its access check), the answer of one of the peer's own calls
 * (`{session}.resolve|reject|heartbeat`), or a callback exported into a session.
 */
import type { CallTable, Session } from './call-table.js';
import { MycelError } from './errors.js';
import { accessDenied, type LocalServices, type ServiceFunction } from './local-services.js';
import { isLongLivedId } from './long-lived.js';

/** Where an incoming call goes, or why it goes nowhere. */
export type MethodTarget =
  | { kind: 'function'; fn: ServiceFunction; requireContext: boolean }
  | { kind: 'answer'; session: Session; key: 'resolve' | 'reject' | 'heartbeat' }
  /** `expired`: the session is gone (an answer after a timeout); worth a debug line only. */
  | { kind: 'refused'; error: MycelError; expired?: boolean };

/** The peer state a lookup reads. */
export interface TargetScope {
  services: LocalServices;
  calls: CallTable;
  /** The receiving peer's workspace and address. */
  workspace: string;
  peerId: string;
}

/** Finds what `method`, called by `from` (of workspace `fromWorkspace`), reaches. */
export function findMethodTarget(method: string, from: string, fromWorkspace: string, scope: TargetScope): MethodTarget {
  const dot = method.indexOf('.');
  const head = dot < 0 ? method : method.slice(0, dot);
  if (head === 'services') {
    const rest = method.slice(dot + 1);
    const serviceDot = rest.indexOf('.');
    const found = scope.services.resolve(
      serviceDot < 0 ? rest : rest.slice(0, serviceDot),
      serviceDot < 0 ? '' : rest.slice(serviceDot + 1),
    );
    if (!found) {
      const serviceId = serviceDot < 0 ? rest : rest.slice(0, serviceDot);
      if (isLongLivedId(serviceId)) return refused('METHOD_NOT_FOUND', goneInterface(serviceId));
      return refused('METHOD_NOT_FOUND', `method "${method}" not found at "${scope.peerId}"`);
    }
    const denied = accessDenied(found.service, scope.workspace, fromWorkspace, from);
    if (denied) return refused('PERMISSION_DENIED', denied);
    return { kind: 'function', fn: found.fn, requireContext: found.requireContext };
  }
  const session = scope.calls.get(head);
  if (!session) {
    // Answers for calls that already settled (timed out, or rejected by a hub) land here.
    return { kind: 'refused', error: new MycelError('METHOD_NOT_FOUND', expiredCallback(method)), expired: true };
  }
  if (session.target !== from) {
    return refused('PERMISSION_DENIED', `access denied: "${from}" may not call back "${method}"`);
  }
  const key = method.slice(dot + 1);
  if (session.pending && (key === 'resolve' || key === 'reject' || key === 'heartbeat')) {
    return { kind: 'answer', session, key };
  }
  const fn = session.callbacks?.get(key);
  if (!fn) return refused('METHOD_NOT_FOUND', expiredCallback(method));
  return { kind: 'function', fn, requireContext: false };
}

function refused(code: 'METHOD_NOT_FOUND' | 'PERMISSION_DENIED', message: string): MethodTarget {
  return { kind: 'refused', error: new MycelError(code, message) };
}

/**
 * What a caller of a callback that outlived its call is told: callbacks passed as arguments live
 * as long as their call (as in hypha-rpc). The lasting equivalent, which every client
 * understands, is a registered service.
 */
function expiredCallback(method: string): string {
  return (
    `callback "${method}" is gone: it was passed with a call that has ended, and such callbacks live only as long as ` +
    'their call; to call back later, pass a long-lived one: longLived(fn), or an object marked _rintf: true'
  );
}

/** What the caller of a long-lived interface that was released is told. */
function goneInterface(serviceId: string): string {
  return `long-lived interface "${serviceId}" is gone: it was disposed of, or its holder left`;
}
