import { createHmac, randomBytes } from 'node:crypto';
import { SignJWT, jwtVerify } from 'jose';
import { describe, expect, it } from 'vitest';
import { TokenInvalidError, TokenSigner, type TokenKind } from './signed-tokens.ts';

const now = new Date('2026-08-10T11:00:00Z');
const key = { kid: 'k1', key: randomBytes(32) };
const signer = new TokenSigner([key]);

const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
const parts = (token: string) => token.split('.') as [string, string, string];
const decode = (part: string) => JSON.parse(Buffer.from(part, 'base64url').toString()) as Record<string, unknown>;

function refused(kind: TokenKind, token: string, at = now) {
  expect(() => signer.verify(kind, token, at)).toThrow(TokenInvalidError);
}

describe('signed credentials', () => {
  it('verifies its own token of the same kind', async () => {
    const token = signer.sign('session', 'person-a', now, 600, { x: 1 });
    const verified = signer.verify('session', token, now);
    expect(verified.subject).toBe('person-a');
    expect(verified.expiresAt.toISOString()).toBe('2026-08-10T11:10:00.000Z');
  });

  it('refuses an edited payload (another person), a stripped signature and alg none', async () => {
    const [h, p, s] = parts(signer.sign('session', 'person-a', now, 600));
    refused('session', `${h}.${b64({ ...decode(p), sub: 'person-b' })}.${s}`);
    refused('session', `${h}.${p}.`);
    refused('session', `${h}.${p}`);
    refused('session', `${b64({ alg: 'none', typ: 'session+jwt', kid: 'k1' })}.${p}.`);
    refused('session', `${b64({ ...decode(h), alg: 'HS512' })}.${p}.${s}`);
  });

  it('refuses an unknown key id and a token signed by another key under our key id', async () => {
    const other = new TokenSigner([{ kid: 'k9', key: randomBytes(32) }]);
    refused('session', other.sign('session', 'person-a', now, 600));
    const impostor = new TokenSigner([{ kid: 'k1', key: randomBytes(32) }]);
    refused('session', impostor.sign('session', 'person-a', now, 600));
  });

  it('refuses an expired token (at its exp exactly) but not one a second before', async () => {
    const token = signer.sign('session', 'person-a', now, 600);
    expect(signer.verify('session', token, new Date(now.getTime() + 599_000)).subject).toBe('person-a');
    refused('session', token, new Date(now.getTime() + 600_000));
  });

  it('never lets one kind pass as another', async () => {
    const kinds: TokenKind[] = ['session', 'ticket', 'admission', 'operator'];
    for (const signed of kinds) {
      const token = signer.sign(signed, 'person-a', now, 600);
      for (const expected of kinds.filter((k) => k !== signed)) refused(expected, token);
    }
  });

  it('never lets one kind pass as another once its header has been checked and remembered', async () => {
    const kinds: TokenKind[] = ['session', 'ticket', 'admission', 'operator'];
    for (const signed of kinds) {
      const token = signer.sign(signed, 'person-a', now, 600);
      expect(signer.verify(signed, token, now).subject).toBe('person-a'); // its header is now remembered
      for (const expected of kinds.filter((k) => k !== signed)) refused(expected, token);
      expect(signer.verify(signed, token, now).subject).toBe('person-a');
    }
  });

  it('keeps verifying old tokens after a key rotation, and signs with the new key', async () => {
    const old = signer.sign('session', 'person-a', now, 600);
    const rotated = new TokenSigner([{ kid: 'k2', key: randomBytes(32) }, key]);
    expect(rotated.verify('session', old, now)).toMatchObject({ subject: 'person-a' });
    expect(decode(parts(rotated.sign('session', 'p', now, 60))[0]).kid).toBe('k2');
  });

  it("speaks plain JWS: jose verifies our tokens, and we verify jose's", async () => {
    const token = signer.sign('ticket', 'person-a', now, 600, { cid: 'c1', pos: 7 });
    const { payload, protectedHeader } = await jwtVerify(token, new Uint8Array(key.key), { algorithms: ['HS256'], issuer: 'yeyak', audience: 'yeyak:ticket', typ: 'ticket+jwt', currentDate: now });
    expect(payload).toMatchObject({ sub: 'person-a', cid: 'c1', pos: 7, exp: Math.floor(now.getTime() / 1000) + 600 });
    expect(protectedHeader.kid).toBe('k1');
    const iat = Math.floor(now.getTime() / 1000);
    const fromJose = await new SignJWT({ cid: 'c2' })
      .setProtectedHeader({ alg: 'HS256', kid: 'k1', typ: 'ticket+jwt' })
      .setIssuer('yeyak')
      .setAudience('yeyak:ticket')
      .setSubject('person-b')
      .setIssuedAt(iat)
      .setExpirationTime(iat + 60)
      .sign(new Uint8Array(key.key));
    expect(signer.verify('ticket', fromJose, now)).toMatchObject({ subject: 'person-b', claims: { cid: 'c2' } });
  });

  it('refuses tokens that are not strict base64url JWS, a future nbf and a critical header', () => {
    const token = signer.sign('session', 'person-a', now, 600);
    const [h, p, s] = parts(token);
    refused('session', `${h}.${p}.${s}x`);
    refused('session', `${h}.${p}.${s.slice(0, -2)}`);
    refused('session', `${h}.${p}!.${s}`);
    refused('session', `${h}.${p}.${s}.`);
    refused('session', 'not a token');
    const resigned = (header: Record<string, unknown>, payload: Record<string, unknown>) => {
      const input = `${b64(header)}.${b64(payload)}`;
      return `${input}.${createHmac('sha256', key.key).update(input).digest('base64url')}`;
    };
    expect(signer.verify('session', resigned(decode(h), decode(p)), now).subject).toBe('person-a');
    refused('session', resigned(decode(h), { ...decode(p), nbf: Math.floor(now.getTime() / 1000) + 10 }));
    refused('session', resigned({ ...decode(h), crit: ['b64'] }, decode(p)));
    refused('session', resigned(decode(h), { ...decode(p), iss: 'someone-else' }));
    refused('session', resigned(decode(h), { ...decode(p), sub: 42 }));
  });
});
