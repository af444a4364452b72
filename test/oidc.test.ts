import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TokenSigner } from '../src/lib/signed-tokens.ts';
import { startOidcStandIn, type OidcStandIn, type StandInAccount } from './support/oidc-stand-in.ts';
import { startTestApp, type TestApp } from './support/test-app.ts';

const PUBLIC_URL = 'https://yeyak.test';
const callbackOf = (provider: string) => `${PUBLIC_URL}/api/v1/identity/oidc/${provider}/callback`;

const ALICE_CI = `ci-${randomBytes(32).toString('base64url')}`;
const ACCOUNTS: StandInAccount[] = [
  { id: 'alice', ci: ALICE_CI, name: '김영희', birthdate: '1962-03-01', gender: 'female', phone_number: '+82 10-2345-6789' },
  { id: 'no-ci', name: '박철수', birthdate: '1980-07-15', gender: 'male', phone_number: '+82 10-9876-5432' },
  { id: 'no-phone', ci: `ci-${randomBytes(16).toString('hex')}`, name: '이순자', birthdate: '1955-11-30' },
];

let t: TestApp;
let naver: OidcStandIn;
let kakao: OidcStandIn;
let passPort: number;

/** A port with nothing listening on it (yet). */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

beforeAll(async () => {
  naver = await startOidcStandIn({ redirectUris: [callbackOf('naver')], accounts: ACCOUNTS });
  kakao = await startOidcStandIn({ redirectUris: [callbackOf('kakao')], accounts: ACCOUNTS });
  passPort = await freePort();
  const pass = { issuer: `http://127.0.0.1:${passPort}`, clientId: 'yeyak', clientSecret: 'pass-secret' };
  t = await startTestApp({
    env: {
      YEYAK_PUBLIC_URL: PUBLIC_URL,
      YEYAK_OIDC_PROVIDERS: JSON.stringify({ naver: naver.providerConfig, kakao: kakao.providerConfig, pass }),
    },
  });
});
afterAll(async () => {
  await t?.close();
  await naver?.close();
  await kakao?.close();
});

interface Started {
  authorizationUrl: URL;
  loginCookie: string;
  response: LightMyRequestResponse;
}

async function start(provider = 'naver', body?: Record<string, unknown>): Promise<Started> {
  const response = await t.app.inject({ method: 'POST', url: `/api/v1/identity/oidc/${provider}/start`, ...(body ? { payload: body } : {}) });
  expect(response.statusCode, response.body).toBe(200);
  const cookie = response.cookies.find((c) => c.name === 'yeyak_oidc');
  expect(cookie).toBeDefined();
  return { authorizationUrl: new URL(response.json().authorizationUrl), loginCookie: cookie!.value, response };
}

/** The provider's redirect, replayed into the app as the browser would (with the login cookie). */
function callback(redirect: URL, loginCookie: string | undefined): Promise<LightMyRequestResponse> {
  return t.app.inject({ method: 'GET', url: `${redirect.pathname}${redirect.search}`, cookies: loginCookie === undefined ? {} : { yeyak_oidc: loginCookie } });
}

/** Starts, signs in at the provider and returns the redirect back to the app with its login cookie. */
async function atProvider(accountId: string, provider: OidcStandIn = naver, name = 'naver', body?: Record<string, unknown>) {
  const started = await start(name, body);
  const redirect = await provider.signInAs(started.authorizationUrl.href, accountId);
  return { ...started, redirect };
}

function sessionOf(response: LightMyRequestResponse): string | undefined {
  return response.cookies.find((c) => c.name === 'yeyak_session')?.value;
}

function expectRefused(response: LightMyRequestResponse, status: number, code: string): void {
  expect(response.statusCode, response.body).toBe(status);
  expect(response.json().error.code).toBe(code);
  expect(sessionOf(response)).toBeUndefined();
}

async function me(session: string) {
  const res = await t.app.inject({ method: 'GET', url: '/api/v1/me', cookies: { yeyak_session: session } });
  expect(res.statusCode, res.body).toBe(200);
  return res.json();
}

/** Re-signs the login cookie with our own key after editing its claims (what only the server can do). */
async function resignedLogin(loginCookie: string, edit: (claims: Record<string, unknown>) => Record<string, unknown>): Promise<string> {
  const { subject, claims } = t.ctx.signer.verify('oidc', loginCookie, t.clock.now());
  const { state, nonce, cv, rt } = claims;
  return t.ctx.signer.sign('oidc', subject, t.clock.now(), 600, edit({ state, nonce, cv, rt }));
}

describe('OpenID Connect sign-in', () => {
  it('starts with PKCE S256, state and nonce, and a short-lived signed login cookie', async () => {
    const { authorizationUrl, response } = await start('naver');
    expect(authorizationUrl.origin).toBe(naver.issuer);
    const q = authorizationUrl.searchParams;
    expect(q.get('response_type')).toBe('code');
    expect(q.get('client_id')).toBe(naver.clientId);
    expect(q.get('redirect_uri')).toBe(callbackOf('naver'));
    expect(q.get('code_challenge_method')).toBe('S256');
    expect(q.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(q.get('state')).toBeTruthy();
    expect(q.get('nonce')).toBeTruthy();
    expect(q.get('scope')).toBe('openid profile phone');
    const cookie = response.cookies.find((c) => c.name === 'yeyak_oidc')!;
    expect(cookie).toMatchObject({ httpOnly: true, secure: true, sameSite: 'Lax', path: '/api/v1/identity/oidc', maxAge: 600 });
    // The verifier never leaves in the URL.
    expect(authorizationUrl.href).not.toContain((t.ctx.signer.verify('oidc', cookie.value, t.clock.now())).claims.cv as string);
  });

  it('signs in: session cookie, redirect to returnTo, login cookie cleared, nothing personal stored in clear', async () => {
    const { redirect, loginCookie } = await atProvider('alice', naver, 'naver', { returnTo: '/bookings?tab=mine' });
    expect(redirect.origin + redirect.pathname).toBe(callbackOf('naver'));
    const res = await callback(redirect, loginCookie);
    expect(res.statusCode, res.body).toBe(303);
    expect(res.headers.location).toBe('/bookings?tab=mine');
    const session = res.cookies.find((c) => c.name === 'yeyak_session')!;
    expect(session).toMatchObject({ httpOnly: true, secure: true, sameSite: 'Lax', path: '/' });
    const cleared = res.cookies.find((c) => c.name === 'yeyak_oidc')!;
    expect(cleared.value).toBe('');
    expect(cleared.path).toBe('/api/v1/identity/oidc');

    const page = await me(session.value);
    expect(page.person).toEqual({ maskedName: '김*희', birthDate: '1962-03-01' });
    const rows = await t.ctx.db.selectFrom('persons').selectAll().execute();
    const stored = JSON.stringify(rows);
    for (const secret of ['김영희', '23456789', '2345-6789', ALICE_CI, '"alice"']) expect(stored).not.toContain(secret);
  });

  it('makes the same CI the same person, twice and across providers; a bare sub never collides across providers', async () => {
    const sessions: string[] = [];
    for (const [provider, name] of [[naver, 'naver'], [naver, 'naver'], [kakao, 'kakao']] as const) {
      const { redirect, loginCookie } = await atProvider('alice', provider, name);
      const res = await callback(redirect, loginCookie);
      expect(res.statusCode, res.body).toBe(303);
      expect(res.headers.location).toBe('/');
      sessions.push(sessionOf(res)!);
    }
    const subjects = await Promise.all(sessions.map(async (s) => (t.ctx.signer.verify('session', s, t.clock.now())).subject));
    expect(new Set(subjects).size).toBe(1);

    const noCi: string[] = [];
    for (const [provider, name] of [[naver, 'naver'], [kakao, 'kakao']] as const) {
      const { redirect, loginCookie } = await atProvider('no-ci', provider, name);
      const res = await callback(redirect, loginCookie);
      expect(res.statusCode, res.body).toBe(303);
      noCi.push((t.ctx.signer.verify('session', sessionOf(res)!, t.clock.now())).subject);
    }
    expect(noCi[0]).not.toBe(noCi[1]);
    expect(noCi).not.toContain(subjects[0]);
  });

  it('refuses a wrong state', async () => {
    const { redirect, loginCookie } = await atProvider('alice');
    const tampered = new URL(redirect);
    tampered.searchParams.set('state', 'not-the-state');
    const res = await callback(tampered, loginCookie);
    expectRefused(res, 401, 'YEYAK_ERR_OIDC_STATE_MISMATCH');
    // The attempt is over either way: the login cookie is cleared on refusals too.
    expect(res.cookies.find((c) => c.name === 'yeyak_oidc')?.value).toBe('');

    // Another sign-in's answer, with this browser's cookie.
    const other = await atProvider('alice');
    expectRefused(await callback(other.redirect, loginCookie), 401, 'YEYAK_ERR_OIDC_STATE_MISMATCH');
  });

  it('refuses a replayed code', async () => {
    const { redirect, loginCookie } = await atProvider('alice');
    expect((await callback(redirect, loginCookie)).statusCode).toBe(303);
    expectRefused(await callback(redirect, loginCookie), 401, 'YEYAK_ERR_OIDC_CODE_REJECTED');
  });

  it('refuses a nonce that is not this sign-in\'s: in our cookie, or in the provider\'s ID token', async () => {
    const first = await atProvider('alice');
    const otherNonce = await resignedLogin(first.loginCookie, (c) => ({ ...c, nonce: 'another-nonce' }));
    expectRefused(await callback(first.redirect, otherNonce), 401, 'YEYAK_ERR_OIDC_NONCE_MISMATCH');

    const second = await atProvider('alice');
    naver.tamperNextIdToken((claims) => ({ ...claims, nonce: 'someone-elses-nonce' }));
    expectRefused(await callback(second.redirect, second.loginCookie), 401, 'YEYAK_ERR_OIDC_NONCE_MISMATCH');
  });

  it('refuses an expired sign-in: login cookie past its 10 minutes, or an ID token past its exp', async () => {
    const late = await atProvider('alice');
    t.clock.advance(601_000);
    try {
      expectRefused(await callback(late.redirect, late.loginCookie), 401, 'YEYAK_ERR_OIDC_EXPIRED');
    } finally {
      t.clock.advance(-601_000);
    }

    const stale = await atProvider('alice');
    const now = Math.floor(Date.now() / 1000);
    naver.tamperNextIdToken((claims) => ({ ...claims, iat: now - 900, exp: now - 300 }));
    expectRefused(await callback(stale.redirect, stale.loginCookie), 401, 'YEYAK_ERR_OIDC_EXPIRED');
  });

  it('refuses a missing, forged or edited login cookie, or one of another provider or kind', async () => {
    const { redirect, loginCookie } = await atProvider('alice');
    const [header, payload, signature] = loginCookie.split('.') as [string, string, string];
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString());
    const edited = `${header}.${Buffer.from(JSON.stringify({ ...claims, rt: '/elsewhere' })).toString('base64url')}.${signature}`;
    const foreign = await new TokenSigner([{ kid: 'test1', key: randomBytes(32) }]).sign('oidc', 'naver', t.clock.now(), 600, { state: claims.state, nonce: claims.nonce, cv: claims.cv, rt: '/' });
    const session = t.ctx.signer.sign('session', 'naver', t.clock.now(), 600, { state: claims.state, nonce: claims.nonce, cv: claims.cv, rt: '/' });
    const unsigned = `${Buffer.from('{"alg":"none","typ":"oidc+jwt"}').toString('base64url')}.${payload}.`;
    for (const cookie of [undefined, '', edited, foreign, session, unsigned, 'garbage']) {
      expectRefused(await callback(redirect, cookie), 401, 'YEYAK_ERR_OIDC_LOGIN_INVALID');
    }
    // Naver's login cookie on Kakao's callback.
    const onKakao = new URL(redirect);
    onKakao.pathname = '/api/v1/identity/oidc/kakao/callback';
    expectRefused(await callback(onKakao, loginCookie), 401, 'YEYAK_ERR_OIDC_LOGIN_INVALID');
    // The untouched cookie still works: the refusals above consumed nothing.
    expect((await callback(redirect, loginCookie)).statusCode).toBe(303);
  });

  it('refuses an unknown provider (404)', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/api/v1/identity/oidc/nope/start' });
    expectRefused(res, 404, 'YEYAK_ERR_OIDC_PROVIDER_UNKNOWN');
    expectRefused(await t.app.inject({ method: 'GET', url: '/api/v1/identity/oidc/nope/callback?code=x&state=y' }), 404, 'YEYAK_ERR_OIDC_PROVIDER_UNKNOWN');
    expectRefused(await t.app.inject({ method: 'POST', url: '/api/v1/identity/oidc/__proto__/start' }), 400, 'YEYAK_ERR_VALIDATION');
    expectRefused(await t.app.inject({ method: 'POST', url: '/api/v1/identity/oidc/constructor/start' }), 404, 'YEYAK_ERR_OIDC_PROVIDER_UNKNOWN');
  });

  it('returns only to paths on this site', async () => {
    for (const returnTo of ['//evil.example/', 'https://evil.example/', '/\\evil.example', 'javascript:alert(1)', '/\tx', 'bookings']) {
      const res = await t.app.inject({ method: 'POST', url: '/api/v1/identity/oidc/naver/start', payload: { returnTo } });
      expectRefused(res, 400, 'YEYAK_ERR_VALIDATION');
      expect(res.cookies.find((c) => c.name === 'yeyak_oidc')).toBeUndefined();
    }
  });

  it('refuses a person whose provider leaves out a needed claim, and a cancelled sign-in', async () => {
    const { redirect, loginCookie } = await atProvider('no-phone');
    const res = await callback(redirect, loginCookie);
    expectRefused(res, 401, 'YEYAK_ERR_OIDC_CLAIMS_MISSING');
    expect(res.json().error.details).toEqual({ missing: ['phone_number'] });

    const started = await start('naver');
    const denied = new URL(callbackOf('naver'));
    denied.search = new URLSearchParams({ error: 'access_denied', state: started.authorizationUrl.searchParams.get('state')!, iss: naver.issuer }).toString();
    expectRefused(await callback(denied, started.loginCookie), 401, 'YEYAK_ERR_OIDC_DENIED');
  });

  it('answers a misbehaving provider with coded errors, never a 500', async () => {
    const { redirect, loginCookie } = await atProvider('alice');
    naver.tamperNextIdToken((claims) => ({ ...claims, aud: 'someone-else' }));
    expectRefused(await callback(redirect, loginCookie), 502, 'YEYAK_ERR_OIDC_RESPONSE_INVALID');
  });

  it('answers 503 while a provider is down and discovers it again once it is back', async () => {
    const down = await t.app.inject({ method: 'POST', url: '/api/v1/identity/oidc/pass/start' });
    expectRefused(down, 503, 'YEYAK_ERR_OIDC_PROVIDER_UNAVAILABLE');
    expect(down.headers['retry-after']).toBe('5');
    const pass = await startOidcStandIn({ port: passPort, redirectUris: [callbackOf('pass')], accounts: ACCOUNTS, clientSecret: 'pass-secret' });
    try {
      const { redirect, loginCookie } = await atProvider('alice', pass, 'pass');
      const res = await callback(redirect, loginCookie);
      expect(res.statusCode, res.body).toBe(303);
    } finally {
      await pass.close();
    }
    // Gone again mid-flow: the code cannot be redeemed, and that is a 503, not a 500.
    const started = await start('pass');
    const stranded = new URL(callbackOf('pass'));
    stranded.search = new URLSearchParams({ code: 'x', state: started.authorizationUrl.searchParams.get('state')!, iss: `http://127.0.0.1:${passPort}` }).toString();
    expectRefused(await callback(stranded, started.loginCookie), 503, 'YEYAK_ERR_OIDC_PROVIDER_UNAVAILABLE');
  });
});
