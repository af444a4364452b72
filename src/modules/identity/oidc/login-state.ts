import { timingSafeEqual } from 'node:crypto';
import { decodeJwt } from 'jose';
import { YeyakError } from '../../../errors.ts';
import { TokenInvalidError, type TokenSigner } from '../../../lib/signed-tokens.ts';

/** The cookie that carries a sign-in in progress from `start` to `callback`. */
export const LOGIN_COOKIE = 'yeyak_oidc';
/** Sent only to the OpenID Connect routes, never to the rest of the API. */
export const LOGIN_COOKIE_PATH = '/api/v1/identity/oidc';
/** How long a person has to finish at the provider (API.md: a short-lived login cookie). */
export const LOGIN_TTL_SECONDS = 600;

/**
 * A sign-in in progress. It travels in a cookie signed by us (kind `oidc`, so it can never pass
 * as a session), which keeps the flow stateless across nodes. Its contents are not secret from
 * the person, but they cannot be forged or edited.
 */
export interface LoginState {
  provider: string;
  state: string;
  nonce: string;
  codeVerifier: string;
  /** Same-origin path to send the person back to. */
  returnTo: string;
}

/** Signs a sign-in in progress for the login cookie, valid `LOGIN_TTL_SECONDS` from `now`. */
export function sealLoginState(signer: TokenSigner, login: LoginState, now: Date): string {
  const { provider, state, nonce, codeVerifier, returnTo } = login;
  return signer.sign('oidc', provider, now, LOGIN_TTL_SECONDS, { state, nonce, cv: codeVerifier, rt: returnTo });
}

/**
 * Opens the login cookie at `now`: `YEYAK_ERR_OIDC_EXPIRED` when it was ours but is past its 10
 * minutes, `YEYAK_ERR_OIDC_LOGIN_INVALID` when it is missing, forged, edited or of another kind.
 */
export async function openLoginState(signer: TokenSigner, token: string | undefined, now: Date): Promise<LoginState> {
  if (!token) throw new YeyakError('YEYAK_ERR_OIDC_LOGIN_INVALID');
  let claims: Record<string, unknown>;
  let provider: string;
  try {
    const verified = signer.verify('oidc', token, now);
    claims = verified.claims;
    provider = verified.subject;
  } catch (error) {
    if (!(error instanceof TokenInvalidError)) throw error;
    throw new YeyakError((await expiredButGenuine(signer, token, now)) ? 'YEYAK_ERR_OIDC_EXPIRED' : 'YEYAK_ERR_OIDC_LOGIN_INVALID');
  }
  const { state, nonce, cv, rt } = claims;
  if (typeof state !== 'string' || typeof nonce !== 'string' || typeof cv !== 'string' || typeof rt !== 'string') {
    throw new YeyakError('YEYAK_ERR_OIDC_LOGIN_INVALID');
  }
  return { provider, state, nonce, codeVerifier: cv, returnTo: rt };
}

/**
 * Tells "expired" from "forged": a token whose own `exp` has passed and which verifies a second
 * before that `exp` carries our signature, so the person merely took too long.
 */
async function expiredButGenuine(signer: TokenSigner, token: string, now: Date): Promise<boolean> {
  let exp: unknown;
  try {
    exp = decodeJwt(token).exp;
  } catch {
    return false;
  }
  if (typeof exp !== 'number' || exp * 1000 > now.getTime()) return false;
  try {
    signer.verify('oidc', token, new Date(exp * 1000 - 1000));
    return true;
  } catch (error) {
    if (error instanceof TokenInvalidError) return false;
    throw error;
  }
}

/** Compares the `state` the provider sent back with ours in constant time. */
export function sameState(received: string | null, expected: string): boolean {
  if (received === null) return false;
  const a = Buffer.from(received);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * The path to return to after signing in: a same-origin path only (`/…`, never `//host`,
 * `/\host` or an absolute URL), so the callback cannot be turned into an open redirect.
 * Anything else is a 400.
 */
export function safeReturnTo(raw: string | undefined): string {
  if (raw === undefined || raw === '') return '/';
  // Browsers read a backslash as a slash and drop tabs and newlines, so `/\evil` and `/\t/evil` are other hosts.
  // eslint-disable-next-line no-control-regex
  if (!raw.startsWith('/') || raw.startsWith('//') || /[\\\u0000-\u001f\u007f]/.test(raw)) {
    throw new YeyakError('YEYAK_ERR_VALIDATION', { details: { problems: ['returnTo must be a path on this site, such as /bookings'] } });
  }
  const base = 'http://same-origin.invalid';
  const url = new URL(raw, base);
  if (url.origin !== base) {
    throw new YeyakError('YEYAK_ERR_VALIDATION', { details: { problems: ['returnTo must be a path on this site, such as /bookings'] } });
  }
  return `${url.pathname}${url.search}${url.hash}`;
}
