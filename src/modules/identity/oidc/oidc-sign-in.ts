import type { FastifyBaseLogger } from 'fastify';
import * as oidc from 'openid-client';
import type { Ctx } from '../../../context.ts';
import { YeyakError } from '../../../errors.ts';
import { seoulDate } from '../../../lib/seoul-time.ts';
import type { VerifiedIdentity } from '../sign-in.ts';
import { openLoginState, sameState, sealLoginState } from './login-state.ts';
import type { OidcClients } from './oidc-clients.ts';
import { failureReason, providerError } from './oidc-errors.ts';
import { identityFromClaims, lacksPersonClaims } from './oidc-identity.ts';

/** Where a provider sends the person back: built from YEYAK_PUBLIC_URL, never from request headers. */
function redirectUriOf(publicUrl: string, provider: string): string {
  return `${publicUrl}/api/v1/identity/oidc/${provider}/callback`;
}

export interface OidcStart {
  authorizationUrl: string;
  /** The signed sign-in in progress, for the login cookie. */
  loginCookie: string;
}

/** Starts an authorization code flow with PKCE (S256), state and nonce at a configured provider. */
export async function startOidcSignIn(ctx: Pick<Ctx, 'clock' | 'config' | 'signer'>, clients: OidcClients, provider: string, returnTo: string): Promise<OidcStart> {
  const { scope } = clients.provider(provider);
  const configuration = await clients.configuration(provider);
  const codeVerifier = oidc.randomPKCECodeVerifier();
  const state = oidc.randomState();
  const nonce = oidc.randomNonce();
  const authorizationUrl = oidc.buildAuthorizationUrl(configuration, {
    redirect_uri: redirectUriOf(ctx.config.publicUrl, provider),
    scope,
    code_challenge: await oidc.calculatePKCECodeChallenge(codeVerifier),
    code_challenge_method: 'S256',
    state,
    nonce,
  });
  const loginCookie = await sealLoginState(ctx.signer, { provider, state, nonce, codeVerifier, returnTo }, ctx.clock.now());
  return { authorizationUrl: authorizationUrl.href, loginCookie };
}

export interface OidcCompletion {
  identity: VerifiedIdentity;
  returnTo: string;
}

/**
 * Completes the flow from the provider's redirect: our login cookie must be valid and for this
 * provider, `state` must match it, then openid-client redeems the code with our PKCE verifier and
 * checks the ID token (signature, issuer, audience, expiry, nonce). Claims missing from the ID
 * token are read from userinfo. Every refusal is logged by its code, never with claims or tokens.
 */
export async function completeOidcSignIn(
  ctx: Pick<Ctx, 'clock' | 'config' | 'signer'>,
  clients: OidcClients,
  log: FastifyBaseLogger,
  provider: string,
  loginCookie: string | undefined,
  query: URLSearchParams,
): Promise<OidcCompletion> {
  try {
    return await complete(ctx, clients, provider, loginCookie, query);
  } catch (error) {
    const mapped = providerError(error);
    if (mapped instanceof YeyakError) {
      // A provider that stopped answering may have moved its endpoints: discover it again next time.
      if (mapped.code === 'YEYAK_ERR_OIDC_PROVIDER_UNAVAILABLE') clients.forget(provider);
      log.warn({ provider, code: mapped.code, reason: failureReason(error) }, 'oidc sign-in refused');
    }
    throw mapped;
  }
}

async function complete(ctx: Pick<Ctx, 'clock' | 'config' | 'signer'>, clients: OidcClients, provider: string, loginCookie: string | undefined, query: URLSearchParams): Promise<OidcCompletion> {
  clients.provider(provider);
  const login = await openLoginState(ctx.signer, loginCookie, ctx.clock.now());
  if (login.provider !== provider) throw new YeyakError('YEYAK_ERR_OIDC_LOGIN_INVALID');
  if (!sameState(query.get('state'), login.state)) throw new YeyakError('YEYAK_ERR_OIDC_STATE_MISMATCH');
  if (!query.has('code') && !query.has('error')) {
    throw new YeyakError('YEYAK_ERR_VALIDATION', { details: { problems: ['the provider redirect carries neither code nor error'] } });
  }
  const configuration = await clients.configuration(provider);
  const currentUrl = new URL(redirectUriOf(ctx.config.publicUrl, provider));
  currentUrl.search = query.toString();
  const tokens = await oidc.authorizationCodeGrant(configuration, currentUrl, {
    pkceCodeVerifier: login.codeVerifier,
    expectedState: login.state,
    expectedNonce: login.nonce,
    idTokenExpected: true,
  });
  const idToken = tokens.claims();
  if (!idToken) throw new YeyakError('YEYAK_ERR_OIDC_RESPONSE_INVALID');
  let claims: Record<string, unknown> = idToken;
  if (lacksPersonClaims(claims) && configuration.serverMetadata().userinfo_endpoint !== undefined) {
    // The subject check ties userinfo to the person of the verified ID token.
    const userinfo = await oidc.fetchUserInfo(configuration, tokens.access_token, idToken.sub);
    claims = { ...userinfo, ...idToken };
  }
  const identity = identityFromClaims(configuration.serverMetadata().issuer, claims, seoulDate(ctx.clock.now()));
  return { identity, returnTo: login.returnTo };
}
