import * as oidc from 'openid-client';
import { YeyakError, type ErrorCode } from '../../../errors.ts';

/** A provider that could not be reached at all (connection refused, reset, timed out). */
export class ProviderUnreachableError extends Error {}

// Answers that say the provider is down or overloaded rather than lying to us.
const UNAVAILABLE_CODES = new Set(['OAUTH_TIMEOUT', 'OAUTH_ABORT', 'OAUTH_RESPONSE_IS_NOT_CONFORM', 'OAUTH_RESPONSE_IS_NOT_JSON']);

function causedByUnreachable(error: unknown): boolean {
  for (let e: unknown = error, depth = 0; e instanceof Error && depth < 8; e = e.cause, depth += 1) {
    if (e instanceof ProviderUnreachableError) return true;
  }
  return false;
}

/** The claim a failed JWT check was about (`nonce`, `exp`, …), from openid-client's error chain. */
function failedClaim(error: oidc.ClientError): unknown {
  const check = error.cause instanceof Error ? error.cause.cause : undefined;
  return typeof check === 'object' && check !== null ? (check as { claim?: unknown }).claim : undefined;
}

function classify(error: unknown): ErrorCode | null {
  if (causedByUnreachable(error)) return 'YEYAK_ERR_OIDC_PROVIDER_UNAVAILABLE';
  if (error instanceof oidc.AuthorizationResponseError) return 'YEYAK_ERR_OIDC_DENIED';
  if (error instanceof oidc.ResponseBodyError) {
    // invalid_grant: the code was used already (a replay), expired, or was never issued to us.
    if (error.error === 'invalid_grant') return 'YEYAK_ERR_OIDC_CODE_REJECTED';
    return error.status >= 500 ? 'YEYAK_ERR_OIDC_PROVIDER_UNAVAILABLE' : 'YEYAK_ERR_OIDC_RESPONSE_INVALID';
  }
  if (error instanceof oidc.WWWAuthenticateChallengeError) return 'YEYAK_ERR_OIDC_RESPONSE_INVALID';
  if (error instanceof oidc.ClientError) {
    const claim = failedClaim(error);
    if (error.code === 'OAUTH_JWT_CLAIM_COMPARISON_FAILED' && claim === 'nonce') return 'YEYAK_ERR_OIDC_NONCE_MISMATCH';
    // An ID token past its exp, or issued so long ago (iat) that it is stale.
    if (error.code === 'OAUTH_JWT_TIMESTAMP_CHECK_FAILED' && (claim === 'exp' || claim === 'iat')) return 'YEYAK_ERR_OIDC_EXPIRED';
    if (error.code !== undefined && UNAVAILABLE_CODES.has(error.code)) return 'YEYAK_ERR_OIDC_PROVIDER_UNAVAILABLE';
    return 'YEYAK_ERR_OIDC_RESPONSE_INVALID';
  }
  return null;
}

/**
 * What went wrong, for the log: the library's code and the claim it was about, never its
 * messages (they can quote claims). Undefined for our own refusals, whose code says it all.
 */
export function failureReason(error: unknown): string | undefined {
  if (error instanceof YeyakError) return undefined;
  if (causedByUnreachable(error)) return 'UNREACHABLE';
  if (error instanceof oidc.ResponseBodyError || error instanceof oidc.AuthorizationResponseError) return `${error.code}:${error.error}`;
  if (error instanceof oidc.ClientError) return `${error.code ?? 'OAUTH_CLIENT_ERROR'}:${String(failedClaim(error) ?? '')}`;
  return error instanceof Error ? error.name : 'unknown';
}

/**
 * Maps a failure while talking to a provider to our coded errors, so that a provider's
 * misbehaviour is never a 500. Errors that are not the provider's (our bugs) are returned as they are.
 */
export function providerError(error: unknown): unknown {
  if (error instanceof YeyakError) return error;
  const code = classify(error);
  if (code === null) return error;
  return new YeyakError(code, code === 'YEYAK_ERR_OIDC_PROVIDER_UNAVAILABLE' ? { retryAfterSeconds: 5 } : {});
}
