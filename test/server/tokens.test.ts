import { describe, expect, it } from 'vitest';
import { TokenSigner } from '../../packages/server/src/tokens.js';

const CLAIMS = { client_id: 'alice', workspace: 'public', user_id: 'anonymouz-abc' };
const NOW_MS = Date.UTC(2030, 0, 1);

function decodePart(part: string | undefined): Record<string, unknown> {
  return JSON.parse(Buffer.from(part ?? '', 'base64url').toString('utf8')) as Record<string, unknown>;
}

describe('TokenSigner', () => {
  it('signs a compact HS256 JWT with the claims, iat and exp', () => {
    const token = new TokenSigner('secret').sign(CLAIMS, 3600, NOW_MS);
    const parts = token.split('.');
    expect(parts).toHaveLength(3);
    expect(decodePart(parts[0])).toEqual({ alg: 'HS256', typ: 'JWT', kid: new TokenSigner('secret').keyId });
    expect(decodePart(parts[1])).toEqual({ ...CLAIMS, iat: NOW_MS / 1000, exp: NOW_MS / 1000 + 3600 });
  });

  it('verifies its own token and returns the claims', () => {
    const signer = new TokenSigner('secret');
    const token = signer.sign(CLAIMS, 3600, NOW_MS);
    expect(signer.verify(token, NOW_MS)).toEqual({ ...CLAIMS, exp: NOW_MS / 1000 + 3600 });
  });

  it('verifies a token signed by another signer with the same secret', () => {
    const token = new TokenSigner('shared').sign(CLAIMS, 60, NOW_MS);
    expect(new TokenSigner('shared').verify(token, NOW_MS)?.client_id).toBe('alice');
  });

  it('refuses a token signed with another secret', () => {
    const token = new TokenSigner('one').sign(CLAIMS, 60, NOW_MS);
    expect(new TokenSigner('two').verify(token, NOW_MS)).toBeUndefined();
  });

  it('uses a random secret when none is given', () => {
    const token = new TokenSigner().sign(CLAIMS, 60, NOW_MS);
    expect(new TokenSigner().verify(token, NOW_MS)).toBeUndefined();
  });

  it('refuses a token once it expired', () => {
    const signer = new TokenSigner('secret');
    const token = signer.sign(CLAIMS, 60, NOW_MS);
    expect(signer.verify(token, NOW_MS + 59_999)).toBeDefined();
    expect(signer.verify(token, NOW_MS + 60_000)).toBeUndefined();
    expect(signer.verify(token, NOW_MS + 3_600_000)).toBeUndefined();
  });

  it('refuses a token whose claims were tampered with', () => {
    const signer = new TokenSigner('secret');
    const [header, , mac] = signer.sign(CLAIMS, 3600, NOW_MS).split('.');
    const forged = Buffer.from(JSON.stringify({ ...CLAIMS, client_id: 'mallory', exp: NOW_MS / 1000 + 3600 })).toString(
      'base64url',
    );
    expect(signer.verify(`${header}.${forged}.${mac}`, NOW_MS)).toBeUndefined();
  });

  it('refuses a token whose signature was tampered with', () => {
    const signer = new TokenSigner('secret');
    const token = signer.sign(CLAIMS, 3600, NOW_MS);
    const last = token.at(-1) === 'A' ? 'B' : 'A';
    expect(signer.verify(token.slice(0, -1) + last, NOW_MS)).toBeUndefined();
    expect(signer.verify(`${token}x`, NOW_MS)).toBeUndefined();
    expect(signer.verify(token.slice(0, token.lastIndexOf('.') + 1), NOW_MS)).toBeUndefined();
  });

  it('refuses malformed tokens without throwing', () => {
    const signer = new TokenSigner('secret');
    for (const bad of ['', 'abc', 'a.b', 'a.b.c.d', '..', 'not a token at all']) {
      expect(signer.verify(bad, NOW_MS)).toBeUndefined();
    }
  });

  it('refuses a validly signed token that lacks a claim', () => {
    const signer = new TokenSigner('secret');
    const token = signer.sign({ client_id: 'alice', workspace: 'public' } as never, 3600, NOW_MS);
    expect(signer.verify(token, NOW_MS)).toBeUndefined();
  });

  it('reads the claims of a well-formed token without checking its signature', () => {
    const token = new TokenSigner('other hub').sign(CLAIMS, 60, NOW_MS);
    expect(TokenSigner.readUnverified(token)).toEqual(CLAIMS);
    expect(TokenSigner.readUnverified('garbage')).toBeUndefined();
    expect(TokenSigner.readUnverified('a.!!!.c')).toBeUndefined();
    const partial = Buffer.from(JSON.stringify({ client_id: 'x' })).toString('base64url');
    expect(TokenSigner.readUnverified(`h.${partial}.m`)).toBeUndefined();
  });
});
