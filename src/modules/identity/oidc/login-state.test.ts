import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { YeyakError } from '../../../errors.ts';
import { TokenSigner } from '../../../lib/signed-tokens.ts';
import { LOGIN_TTL_SECONDS, openLoginState, safeReturnTo, sameState, sealLoginState } from './login-state.ts';

const signer = new TokenSigner([{ kid: 'k1', key: randomBytes(32) }]);
const login = { provider: 'naver', state: 's'.repeat(43), nonce: 'n'.repeat(43), codeVerifier: 'v'.repeat(43), returnTo: '/bookings' };
const now = new Date('2026-08-10T02:00:00Z');
const at = (seconds: number) => new Date(now.getTime() + seconds * 1000);

async function codeOf(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(() => null, (e: unknown) => e);
  expect(error).toBeInstanceOf(YeyakError);
  return (error as YeyakError).code;
}

describe('login state', () => {
  it('round-trips within its 10 minutes', async () => {
    const token = await sealLoginState(signer, login, now);
    expect(await openLoginState(signer, token, at(LOGIN_TTL_SECONDS - 1))).toEqual(login);
  });

  it('tells an expired cookie from a forged one', async () => {
    const token = await sealLoginState(signer, login, now);
    expect(await codeOf(openLoginState(signer, token, at(LOGIN_TTL_SECONDS)))).toBe('YEYAK_ERR_OIDC_EXPIRED');
    const other = await sealLoginState(new TokenSigner([{ kid: 'k1', key: randomBytes(32) }]), login, now);
    expect(await codeOf(openLoginState(signer, other, at(LOGIN_TTL_SECONDS + 5)))).toBe('YEYAK_ERR_OIDC_LOGIN_INVALID');
    const session = signer.sign('session', 'naver', now, 600, { state: login.state, nonce: login.nonce, cv: login.codeVerifier, rt: '/' });
    expect(await codeOf(openLoginState(signer, session, now))).toBe('YEYAK_ERR_OIDC_LOGIN_INVALID');
    expect(await codeOf(openLoginState(signer, undefined, now))).toBe('YEYAK_ERR_OIDC_LOGIN_INVALID');
  });

  it('compares state exactly', () => {
    expect(sameState(login.state, login.state)).toBe(true);
    expect(sameState(`${login.state}x`, login.state)).toBe(false);
    expect(sameState(null, login.state)).toBe(false);
  });
});

describe('safeReturnTo', () => {
  it('keeps paths on this site', () => {
    expect(safeReturnTo(undefined)).toBe('/');
    expect(safeReturnTo('/bookings?tab=mine#top')).toBe('/bookings?tab=mine#top');
    expect(safeReturnTo('/a/../b')).toBe('/b');
  });

  it.each(['//evil.example', '/\\evil.example', 'https://evil.example/', 'javascript:alert(1)', '/\t/evil.example', 'bookings', '/%0d%0aSet-Cookie:x'.replace('%0d%0a', '\r\n')])(
    'refuses %j',
    (raw) => {
      expect(() => safeReturnTo(raw)).toThrow(YeyakError);
    },
  );
});
