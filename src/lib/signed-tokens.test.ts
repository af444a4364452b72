import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { TokenInvalidError, TokenSigner, type TokenKind } from './signed-tokens.ts';

const now = new Date('2026-08-10T11:00:00Z');
const key = { kid: 'k1', key: randomBytes(32) };
const signer = new TokenSigner([key]);

const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
const parts = (token: string) => token.split('.') as [string, string, string];
const decode = (part: string) => JSON.parse(Buffer.from(part, 'base64url').toString()) as Record<string, unknown>;

async function refused(kind: TokenKind, token: string, at = now) {
  await expect(signer.verify(kind, token, at)).rejects.toBeInstanceOf(TokenInvalidError);
}

describe('signed credentials', () => {
  it('verifies its own token of the same kind', async () => {
    const token = await signer.sign('session', 'person-a', now, 600, { x: 1 });
    const verified = await signer.verify('session', token, now);
    expect(verified.subject).toBe('person-a');
    expect(verified.expiresAt.toISOString()).toBe('2026-08-10T11:10:00.000Z');
  });

  it('refuses an edited payload (another person), a stripped signature and alg none', async () => {
    const [h, p, s] = parts(await signer.sign('session', 'person-a', now, 600));
    await refused('session', `${h}.${b64({ ...decode(p), sub: 'person-b' })}.${s}`);
    await refused('session', `${h}.${p}.`);
    await refused('session', `${h}.${p}`);
    await refused('session', `${b64({ alg: 'none', typ: 'session+jwt', kid: 'k1' })}.${p}.`);
    await refused('session', `${b64({ ...decode(h), alg: 'HS512' })}.${p}.${s}`);
  });

  it('refuses an unknown key id and a token signed by another key under our key id', async () => {
    const other = new TokenSigner([{ kid: 'k9', key: randomBytes(32) }]);
    await refused('session', await other.sign('session', 'person-a', now, 600));
    const impostor = new TokenSigner([{ kid: 'k1', key: randomBytes(32) }]);
    await refused('session', await impostor.sign('session', 'person-a', now, 600));
  });

  it('refuses an expired token (at its exp exactly) but not one a second before', async () => {
    const token = await signer.sign('session', 'person-a', now, 600);
    await expect(signer.verify('session', token, new Date(now.getTime() + 599_000))).resolves.toBeDefined();
    await refused('session', token, new Date(now.getTime() + 600_000));
  });

  it('never lets one kind pass as another', async () => {
    const kinds: TokenKind[] = ['session', 'ticket', 'admission', 'operator'];
    for (const signed of kinds) {
      const token = await signer.sign(signed, 'person-a', now, 600);
      for (const expected of kinds.filter((k) => k !== signed)) await refused(expected, token);
    }
  });

  it('keeps verifying old tokens after a key rotation, and signs with the new key', async () => {
    const old = await signer.sign('session', 'person-a', now, 600);
    const rotated = new TokenSigner([{ kid: 'k2', key: randomBytes(32) }, key]);
    await expect(rotated.verify('session', old, now)).resolves.toMatchObject({ subject: 'person-a' });
    expect(decode(parts(await rotated.sign('session', 'p', now, 60))[0]).kid).toBe('k2');
  });
});
