import { describe, expect, it } from 'vitest';
import {
  connectionInfoSchema,
  connectionRequestSchema,
  controlFrameSchema,
  decodeFrame,
  encodeFrame,
  frameHeadSchema,
  methodMessageSchema,
  serverControlFrameSchema,
  userInfoSchema,
} from '@mycel/protocol';

const user = {
  id: 'anonymouz-abc',
  roles: ['anonymous'],
  is_anonymous: true,
  email: null,
  parent: null,
  scope: { current_workspace: 'public', workspaces: { public: 'rw' }, client_id: null, extra_scopes: [] },
  expires_at: null,
};

const connectionInfo = {
  type: 'connection_info',
  hypha_version: '0.21.40',
  public_base_url: 'http://127.0.0.1:9527',
  local_base_url: 'http://127.0.0.1:9527',
  manager_id: 'manager-1',
  workspace: 'public',
  client_id: 'c1',
  user,
  reconnection_token: 'tok',
  reconnection_token_life_time: 172_800,
};

const method = {
  type: 'method',
  from: 'public/caller',
  to: 'public/worker',
  method: 'services.math.add',
  session: 's1',
  args: [1, 2],
  promise: '*',
  t: 15,
};

const long = (n: number) => 'x'.repeat(n);

describe('frameHeadSchema', () => {
  it('accepts a minimal header and keeps unknown fields', () => {
    const parsed = frameHeadSchema.parse({ type: 'method', to: 'ws/c', extra: [1] });
    expect(parsed).toEqual({ type: 'method', to: 'ws/c', extra: [1] });
  });

  it('accepts a header decoded from a frame, nil fields included', () => {
    const { main } = decodeFrame(encodeFrame({ type: 'method', to: 'ws/c', from: undefined, session: undefined }));
    expect(frameHeadSchema.safeParse(main).success).toBe(true);
  });

  it.each([
    ['a missing type', { to: 'ws/c' }],
    ['an empty type', { type: '' }],
    ['a numeric type', { type: 1 }],
    ['a numeric to', { type: 'method', to: 5 }],
    ['an empty to', { type: 'method', to: '' }],
    ['an oversize to', { type: 'method', to: long(513) }],
    ['an oversize type', { type: long(257) }],
    ['an oversize method', { type: 'method', method: long(1025) }],
    ['an oversize session', { type: 'method', session: long(257) }],
    ['an empty session', { type: 'method', session: '' }],
    ['an array', [{ type: 'method' }]],
    ['null', null],
  ])('rejects %s', (_name, value) => {
    expect(frameHeadSchema.safeParse(value).success).toBe(false);
  });

  it('accepts strings at the size limit', () => {
    expect(frameHeadSchema.safeParse({ type: long(256), to: long(512), method: long(1024) }).success).toBe(true);
  });
});

describe('methodMessageSchema', () => {
  it('accepts a call with promise "*"', () => {
    expect(methodMessageSchema.parse(method)).toEqual(method);
  });

  it('accepts a call with explicit promise descriptors and kwargs', () => {
    const promise = { resolve: { _rtype: 'method' }, reject: { _rtype: 'method' }, interval: 15 };
    const parsed = methodMessageSchema.safeParse({ ...method, promise, with_kwargs: true });
    expect(parsed.success).toBe(true);
  });

  it('accepts a fire-and-forget call with nil fields', () => {
    const call = { type: 'method', from: 'a/b', method: 'x.resolve', session: null, args: null, to: null, t: null };
    expect(methodMessageSchema.safeParse(call).success).toBe(true);
  });

  it.each([
    ['another type', { ...method, type: 'event' }],
    ['a missing type', { ...method, type: undefined }],
    ['a missing from', { ...method, from: undefined }],
    ['an empty from', { ...method, from: '' }],
    ['a missing method', { ...method, method: undefined }],
    ['a numeric method', { ...method, method: 7 }],
    ['args that are not an array', { ...method, args: { 0: 1 } }],
    ['a promise that is neither "*" nor a map', { ...method, promise: true }],
    ['a string promise other than "*"', { ...method, promise: 'yes' }],
    ['a zero t', { ...method, t: 0 }],
    ['a negative t', { ...method, t: -1 }],
    ['a string t', { ...method, t: '15' }],
    ['a non-boolean with_kwargs', { ...method, with_kwargs: 1 }],
    ['an oversize method', { ...method, method: long(1025) }],
    ['an oversize from', { ...method, from: long(513) }],
  ])('rejects %s', (_name, value) => {
    expect(methodMessageSchema.safeParse(value).success).toBe(false);
  });
});

describe('connectionRequestSchema', () => {
  it('accepts a full request and an empty one', () => {
    const request = { client_id: 'c1', workspace: 'ws', token: 't', reconnection_token: null };
    expect(connectionRequestSchema.parse(request)).toEqual(request);
    expect(connectionRequestSchema.safeParse({}).success).toBe(true);
  });

  it.each([
    ['a numeric client_id', { client_id: 1 }],
    ['an oversize client_id', { client_id: long(257) }],
    ['an oversize workspace', { workspace: long(257) }],
    ['an oversize token', { token: long(16_385) }],
    ['a boolean token', { token: true }],
    ['a string', 'hello'],
  ])('rejects %s', (_name, value) => {
    expect(connectionRequestSchema.safeParse(value).success).toBe(false);
  });
});

describe('userInfoSchema', () => {
  it('accepts an anonymous user', () => {
    expect(userInfoSchema.parse(user)).toEqual(user);
  });

  it('rejects a user without a scope or with wrong role types', () => {
    expect(userInfoSchema.safeParse({ ...user, scope: undefined }).success).toBe(false);
    expect(userInfoSchema.safeParse({ ...user, roles: [1] }).success).toBe(false);
    expect(userInfoSchema.safeParse({ ...user, is_anonymous: 'yes' }).success).toBe(false);
  });
});

describe('connectionInfoSchema', () => {
  it('accepts connection_info with or without an announcement', () => {
    expect(connectionInfoSchema.safeParse(connectionInfo).success).toBe(true);
    expect(connectionInfoSchema.safeParse({ ...connectionInfo, announcement: 'hi' }).success).toBe(true);
  });

  it('rejects another type, a missing field and an oversize announcement', () => {
    expect(connectionInfoSchema.safeParse({ ...connectionInfo, type: 'error' }).success).toBe(false);
    expect(connectionInfoSchema.safeParse({ ...connectionInfo, manager_id: undefined }).success).toBe(false);
    expect(connectionInfoSchema.safeParse({ ...connectionInfo, announcement: long(4097) }).success).toBe(false);
  });
});

describe('controlFrameSchema', () => {
  it('accepts ping and refresh_token', () => {
    expect(controlFrameSchema.safeParse({ type: 'ping' }).success).toBe(true);
    expect(controlFrameSchema.safeParse({ type: 'refresh_token' }).success).toBe(true);
  });

  it('rejects other types and a missing type', () => {
    expect(controlFrameSchema.safeParse({ type: 'pong' }).success).toBe(false);
    expect(controlFrameSchema.safeParse({}).success).toBe(false);
  });
});

describe('serverControlFrameSchema', () => {
  it('accepts pong, reconnection_token and error', () => {
    expect(serverControlFrameSchema.safeParse({ type: 'pong' }).success).toBe(true);
    expect(serverControlFrameSchema.safeParse({ type: 'reconnection_token', reconnection_token: 't' }).success).toBe(
      true,
    );
    expect(serverControlFrameSchema.safeParse({ type: 'error', message: 'bad' }).success).toBe(true);
  });

  it('rejects a frame missing the field its type needs', () => {
    expect(serverControlFrameSchema.safeParse({ type: 'reconnection_token' }).success).toBe(false);
    expect(serverControlFrameSchema.safeParse({ type: 'error', message: 1 }).success).toBe(false);
    expect(serverControlFrameSchema.safeParse({ type: 'ping' }).success).toBe(false);
  });
});
