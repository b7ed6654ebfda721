import { describe, expect, it } from 'vitest';
import { formatServiceId, isValidName, MycelError, parseServiceQuery, splitPeerId } from '@mycel/protocol';

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
