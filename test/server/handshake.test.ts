import { describe, expect, it } from 'vitest';
import { admit, anonymousUser, MAX_HANDSHAKE_CHARS } from '../../packages/server/src/handshake.js';
import { TokenSigner } from '../../packages/server/src/tokens.js';

const tokens = new TokenSigner('handshake test secret');

function admitted(data: unknown, signer = tokens) {
  const result = admit(data, false, signer);
  if (!result.ok) throw new Error(`expected admission, got refusal: ${result.reason}`);
  return result.admission;
}

function refusal(data: unknown, isBinary = false): string {
  const result = admit(data, isBinary, tokens);
  if (result.ok) throw new Error('expected a refusal');
  return result.reason;
}

describe('admit', () => {
  it('admits hypha-rpc\'s first frame into the public workspace with its client id', () => {
    const admission = admitted('{"client_id":"alice","reconnection_token":null}');
    expect(admission).toMatchObject({ workspace: 'public', clientId: 'alice', isReconnection: false });
    expect(admission.user).toMatchObject({
      roles: ['anonymous'],
      is_anonymous: true,
      scope: { current_workspace: 'public', workspaces: { public: 'rw' }, client_id: 'alice' },
    });
    expect(admission.user.id).toMatch(/^anonymouz-/);
  });

  it('honours a requested workspace', () => {
    expect(admitted('{"client_id":"a","workspace":"team"}')).toMatchObject({ workspace: 'team', clientId: 'a' });
  });

  it('makes up a client id when none is given', () => {
    const a = admitted('{}');
    const b = admitted('{"client_id":null}');
    expect(a.clientId).toMatch(/^[A-Za-z0-9_-]{10,}$/);
    expect(b.clientId).not.toBe(a.clientId);
  });

  it('gives every anonymous connection its own user id', () => {
    expect(admitted('{"client_id":"a"}').user.id).not.toBe(admitted('{"client_id":"a"}').user.id);
  });

  it('refuses a binary first frame', () => {
    expect(refusal(Buffer.from('{"client_id":"a"}'), true)).toBe(
      'the first message must be a JSON text frame with the connection request',
    );
  });

  it('refuses a first frame that is not JSON', () => {
    expect(refusal('hello')).toBe('the connection request is not valid JSON');
    expect(refusal('')).toBe('the connection request is not valid JSON');
  });

  it('refuses a connection request larger than the limit', () => {
    const big = JSON.stringify({ client_id: 'a', pad: 'x'.repeat(MAX_HANDSHAKE_CHARS) });
    expect(refusal(big)).toBe(`connection request larger than ${MAX_HANDSHAKE_CHARS} characters`);
  });

  it('refuses fields of the wrong type and names the field', () => {
    expect(refusal('{"client_id":42}')).toMatch(/^invalid connection request: client_id: /);
    expect(refusal('{"workspace":["a"]}')).toMatch(/^invalid connection request: workspace: /);
    expect(refusal('{"reconnection_token":{}}')).toMatch(/^invalid connection request: reconnection_token: /);
    expect(refusal('[]')).toMatch(/^invalid connection request: request: /);
    expect(refusal('null')).toMatch(/^invalid connection request: /);
    expect(refusal('"text"')).toMatch(/^invalid connection request: /);
  });

  it('refuses invalid client ids and workspaces', () => {
    expect(refusal('{"client_id":"a/b"}')).toBe('invalid client id "a/b"');
    expect(refusal('{"client_id":"a*"}')).toBe('invalid client id "a*"');
    expect(refusal('{"client_id":""}')).toBe('invalid client id ""');
    expect(refusal('{"client_id":"has space"}')).toBe('invalid client id "has space"');
    expect(refusal('{"workspace":"*"}')).toBe('invalid workspace "*"');
    expect(refusal('{"workspace":"a:b"}')).toBe('invalid workspace "a:b"');
  });

  it('refuses token authentication, which this hub does not support yet', () => {
    expect(refusal('{"client_id":"a","token":"eyJ..."}')).toMatch(/token authentication is not supported/);
  });

  it('readmits a reconnection with the identity its token carries', () => {
    const token = tokens.sign({ client_id: 'bob', workspace: 'team', user_id: 'anonymouz-bob' }, 60);
    const admission = admitted(JSON.stringify({ client_id: 'bob', reconnection_token: token }));
    expect(admission).toMatchObject({ workspace: 'team', clientId: 'bob', isReconnection: true });
    expect(admission.user.id).toBe('anonymouz-bob');
    // The token alone is enough.
    expect(admitted(JSON.stringify({ reconnection_token: token }))).toMatchObject({ clientId: 'bob', workspace: 'team' });
  });

  it('refuses a reconnection token for another client or workspace', () => {
    const token = tokens.sign({ client_id: 'bob', workspace: 'team', user_id: 'u' }, 60);
    expect(refusal(JSON.stringify({ client_id: 'eve', reconnection_token: token }))).toBe(
      'client id mismatch: the reconnection token is for "bob", not "eve"',
    );
    expect(refusal(JSON.stringify({ client_id: 'bob', workspace: 'public', reconnection_token: token }))).toBe(
      'workspace mismatch: the reconnection token is for "team", not "public"',
    );
  });

  it('keeps the identity of a token from a restarted hub but not its reconnection rights', () => {
    const token = new TokenSigner('previous hub').sign({ client_id: 'bob', workspace: 'team', user_id: 'u1' }, 60);
    const admission = admitted(JSON.stringify({ client_id: 'bob', reconnection_token: token }));
    expect(admission).toMatchObject({ workspace: 'team', clientId: 'bob', isReconnection: false });
  });

  it('treats an expired token as unverified', () => {
    const token = tokens.sign({ client_id: 'bob', workspace: 'team', user_id: 'u1' }, 60, Date.now() - 120_000);
    expect(admitted(JSON.stringify({ reconnection_token: token }))).toMatchObject({
      clientId: 'bob',
      isReconnection: false,
    });
  });

  it('refuses a malformed reconnection token', () => {
    expect(refusal('{"client_id":"a","reconnection_token":"nonsense"}')).toBe('the reconnection token is malformed');
  });

  it('never throws, whatever the first frame', () => {
    for (const data of [undefined, null, 42, {}, Symbol.iterator.toString(), '\u0000', '{"__proto__":{"x":1}}']) {
      expect(() => admit(data, false, tokens)).not.toThrow();
    }
  });
});

describe('anonymousUser', () => {
  it('describes a read-write anonymous user of one workspace', () => {
    expect(anonymousUser('anonymouz-x', 'ws', 'c')).toEqual({
      id: 'anonymouz-x',
      roles: ['anonymous'],
      is_anonymous: true,
      email: null,
      parent: null,
      scope: { current_workspace: 'ws', workspaces: { ws: 'rw' }, client_id: 'c', extra_scopes: [] },
      expires_at: null,
    });
  });
});
