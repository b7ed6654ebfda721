import { describe, expect, it } from 'vitest';
import {
  formatServiceId,
  isValidName,
  MycelError,
  ownerOfServiceId,
  parseServiceQuery,
  resolvePeerId,
  splitPeerId,
  splitServiceAddress,
} from '@mycel/protocol';

describe('parseServiceQuery', () => {
  it.each([
    ['svc', { workspace: 'home', clientId: '*', serviceId: 'svc', appId: undefined }],
    ['ws/svc', { workspace: 'ws', clientId: '*', serviceId: 'svc', appId: undefined }],
    ['client:svc', { workspace: 'home', clientId: 'client', serviceId: 'svc', appId: undefined }],
    ['ws/client:svc', { workspace: 'ws', clientId: 'client', serviceId: 'svc', appId: undefined }],
    ['svc@app', { workspace: 'home', clientId: '*', serviceId: 'svc', appId: 'app' }],
    ['ws/svc@app', { workspace: 'ws', clientId: '*', serviceId: 'svc', appId: 'app' }],
    ['client:svc@app', { workspace: 'home', clientId: 'client', serviceId: 'svc', appId: 'app' }],
    ['ws/client:svc@app', { workspace: 'ws', clientId: 'client', serviceId: 'svc', appId: 'app' }],
    ['*/*:svc', { workspace: '*', clientId: '*', serviceId: 'svc', appId: undefined }],
  ])('parses "%s"', (query, expected) => {
    expect(parseServiceQuery(query, 'home')).toEqual(expected);
  });

  it.each([
    'a/b/c',
    'a:b:c',
    'a@b@c',
    '',
    '/svc',
    'ws/',
    ':svc',
    'client:',
    'ws/:svc',
    'ws/client:',
    'svc@',
    '@app',
  ])('rejects "%s" with BAD_MESSAGE', (query) => {
    let error: unknown;
    try {
      parseServiceQuery(query, 'home');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(MycelError);
    expect((error as MycelError).code).toBe('BAD_MESSAGE');
  });

  it('names the query and the expected form in the error', () => {
    expect(() => parseServiceQuery('a/b/c', 'home')).toThrowErrorMatchingInlineSnapshot(
      `[MycelError: invalid service id "a/b/c": expected [workspace/][client:]service[@app]]`,
    );
  });
});

describe('formatServiceId', () => {
  it('formats workspace, client and service', () => {
    expect(formatServiceId({ workspace: 'ws', clientId: 'c1', serviceId: 'math' })).toBe('ws/c1:math');
  });

  it('adds the app id, except "*"', () => {
    expect(formatServiceId({ workspace: 'ws', clientId: 'c1', serviceId: 'math', appId: 'calc' })).toBe(
      'ws/c1:math@calc',
    );
    expect(formatServiceId({ workspace: 'ws', clientId: 'c1', serviceId: 'math', appId: '*' })).toBe('ws/c1:math');
    expect(formatServiceId({ workspace: 'ws', clientId: 'c1', serviceId: 'math', appId: undefined })).toBe(
      'ws/c1:math',
    );
  });

  it('round-trips through parseServiceQuery', () => {
    const address = { workspace: 'ws', clientId: 'c1', serviceId: 'math', appId: 'calc' };
    expect(parseServiceQuery(formatServiceId(address), 'other')).toEqual(address);
  });
});

describe('splitPeerId', () => {
  it('splits at the first slash', () => {
    expect(splitPeerId('ws/client')).toEqual({ workspace: 'ws', clientId: 'client' });
    expect(splitPeerId('*/manager-1')).toEqual({ workspace: '*', clientId: 'manager-1' });
  });

  it('gives an empty workspace when there is no slash', () => {
    expect(splitPeerId('client')).toEqual({ workspace: '', clientId: 'client' });
  });
});

describe('isValidName', () => {
  it('accepts ids made of the allowed characters', () => {
    for (const name of ['math', 'ws-user_1', 'a.b~c', '*', 'client|x#1']) expect(isValidName(name)).toBe(true);
  });

  it('rejects empty, oversize and ids with separators or spaces', () => {
    for (const name of ['', 'x'.repeat(257), 'a/b', 'a:b', 'a@b', 'a b', '|x', '#x']) {
      expect(isValidName(name)).toBe(false);
    }
    expect(isValidName('x'.repeat(256))).toBe(true);
  });
});

describe('splitServiceAddress', () => {
  it('splits every form of [workspace/][client:]service[@app], absent parts undefined', () => {
    expect(splitServiceAddress('svc')).toEqual({ workspace: undefined, clientId: undefined, serviceId: 'svc', appId: undefined });
    expect(splitServiceAddress('ws/c:svc@app')).toEqual({ workspace: 'ws', clientId: 'c', serviceId: 'svc', appId: 'app' });
    expect(splitServiceAddress('c:svc')).toEqual({ workspace: undefined, clientId: 'c', serviceId: 'svc', appId: undefined });
    expect(splitServiceAddress('ws/svc')).toEqual({ workspace: 'ws', clientId: undefined, serviceId: 'svc', appId: undefined });
  });

  it('keeps empty parts as empty strings, for the caller to judge', () => {
    expect(splitServiceAddress(':svc@')).toEqual({ workspace: undefined, clientId: '', serviceId: 'svc', appId: '' });
    expect(splitServiceAddress('ws/')).toEqual({ workspace: 'ws', clientId: undefined, serviceId: '', appId: undefined });
  });

  it('gives undefined when a separator appears twice', () => {
    for (const text of ['a/b/c', 'a:b:c', 'a@b@c']) expect(splitServiceAddress(text), text).toBeUndefined();
  });
});

describe('resolvePeerId and ownerOfServiceId', () => {
  it('puts a bare client id in the given workspace and leaves a full one alone', () => {
    expect(resolvePeerId('c', 'ws')).toBe('ws/c');
    expect(resolvePeerId('other/c', 'ws')).toBe('other/c');
  });

  it('names the peer of a full service id, and refuses an id that is not one', () => {
    expect(ownerOfServiceId('ws/c:svc')).toBe('ws/c');
    expect(() => ownerOfServiceId('svc')).toThrow(/invalid service id "svc"/);
  });
});
