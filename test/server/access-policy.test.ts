import { describe, expect, it } from 'vitest';
import { DEFAULT_INSTANCE_BALANCING } from '../../packages/server/src/balancing/instance-config.js';
import { createInstanceState } from '../../packages/server/src/instance-state.js';
import { isOwner, mayBroadcastTo, mayList, mayUse } from '../../packages/server/src/access-policy.js';
import type { ServiceRecord, ServiceVisibility } from '../../packages/server/src/registry.js';

function record(workspace: string, visibility: ServiceVisibility, config: Record<string, unknown> = {}): ServiceRecord {
  const id = `${workspace}/c:svc`;
  return {
    id,
    workspace,
    clientId: 'c',
    serviceId: 'svc',
    appId: '*',
    peerId: `${workspace}/c`,
    visibility,
    info: { id, config },
    seq: 1,
    state: createInstanceState(),
    balancing: DEFAULT_INSTANCE_BALANCING,
  };
}

describe('access policy', () => {
  it('lets a caller use its own workspace, public and unlisted services, and protected ones that authorize it', () => {
    expect(mayUse(record('ws', 'protected'), 'ws')).toBe(true);
    expect(mayUse(record('ws', 'protected'), 'other')).toBe(false);
    expect(mayUse(record('ws', 'public'), 'other')).toBe(true);
    expect(mayUse(record('ws', 'unlisted'), 'other')).toBe(true);
    expect(mayUse(record('ws', 'protected', { authorized_workspaces: ['other'] }), 'other')).toBe(true);
    expect(mayUse(record('ws', 'protected', { authorized_workspaces: 'other' }), 'other')).toBe(false);
  });

  it('lists unlisted services only to their own workspace when asked, and only public ones across workspaces', () => {
    const own = { includeUnlisted: true, isAcrossWorkspaces: false };
    const plain = { includeUnlisted: false, isAcrossWorkspaces: false };
    const across = { includeUnlisted: true, isAcrossWorkspaces: true };
    expect(mayList(record('ws', 'unlisted'), 'ws', own)).toBe(true);
    expect(mayList(record('ws', 'unlisted'), 'ws', plain)).toBe(false);
    expect(mayList(record('ws', 'unlisted'), 'other', own)).toBe(false);
    expect(mayList(record('ws', 'protected', { authorized_workspaces: ['other'] }), 'other', across)).toBe(false);
    expect(mayList(record('ws', 'public'), 'other', across)).toBe(true);
    expect(mayList(record('ws', 'protected'), 'ws', across)).toBe(true);
  });

  it('knows a client by its full or bare id, and lets it broadcast only in its workspace', () => {
    expect(isOwner('ws/c', 'ws/c')).toBe(true);
    expect(isOwner('c', 'ws/c')).toBe(true);
    expect(isOwner('other/c', 'ws/c')).toBe(false);
    expect(mayBroadcastTo('ws', 'ws')).toBe(true);
    expect(mayBroadcastTo('ws', 'other')).toBe(false);
  });
});
