import type { FastifyBaseLogger } from 'fastify';
import * as oidc from 'openid-client';
import { YeyakError } from '../../../errors.ts';
import { isLoopbackUrl, type OidcProviderConfig } from '../../../config-oidc.ts';
import { failureReason, ProviderUnreachableError, providerError } from './oidc-errors.ts';

/** Seconds to wait for any one call to a provider; a slow provider must not hold our sockets. */
const PROVIDER_TIMEOUT_SECONDS = 10;

/** fetch, with "could not reach it at all" told apart from "it answered badly". */
const providerFetch: oidc.CustomFetch = async (url, options) => {
  try {
    // openid-client hands over exactly what fetch takes (its FetchBody type is only wider on paper).
    return await fetch(url, options as RequestInit);
  } catch (cause) {
    throw new ProviderUnreachableError('identity provider unreachable', { cause });
  }
};

/**
 * The configured OpenID Connect providers and their discovered metadata. Discovery runs once per
 * provider and is cached; a failed discovery is forgotten so the next sign-in tries again, and
 * `forget` drops a cached one when the provider stops answering (its endpoints may have moved).
 */
export class OidcClients {
  private readonly discovered = new Map<string, Promise<oidc.Configuration>>();

  constructor(
    private readonly providers: Readonly<Record<string, OidcProviderConfig>>,
    private readonly log: FastifyBaseLogger,
  ) {}

  /** The provider's configuration; `YEYAK_ERR_OIDC_PROVIDER_UNKNOWN` when none has that name. */
  provider(name: string): OidcProviderConfig {
    const provider = Object.hasOwn(this.providers, name) ? this.providers[name] : undefined;
    if (!provider) throw new YeyakError('YEYAK_ERR_OIDC_PROVIDER_UNKNOWN');
    return provider;
  }

  /** The discovered client configuration of a provider; 503 while it cannot be discovered. */
  async configuration(name: string): Promise<oidc.Configuration> {
    const provider = this.provider(name);
    let pending = this.discovered.get(name);
    if (!pending) {
      pending = discover(provider);
      this.discovered.set(name, pending);
      const settled = pending;
      settled.catch((error: unknown) => {
        if (this.discovered.get(name) === settled) this.discovered.delete(name);
        this.log.warn({ provider: name, reason: failureReason(error) }, 'oidc discovery failed');
      });
    }
    try {
      return await pending;
    } catch (error) {
      // Whatever went wrong, the person cannot sign in with this provider now: never a 500.
      const mapped = providerError(error);
      throw mapped instanceof YeyakError ? mapped : new YeyakError('YEYAK_ERR_OIDC_PROVIDER_UNAVAILABLE', { retryAfterSeconds: 5 });
    }
  }

  /** Drops the cached discovery of a provider, so the next sign-in discovers it again. */
  forget(name: string): void {
    this.discovered.delete(name);
  }
}

function discover(provider: OidcProviderConfig): Promise<oidc.Configuration> {
  const issuer = new URL(provider.issuer);
  // Plain HTTP is accepted for loopback issuers only (config refuses it elsewhere): tests and demos.
  const execute = issuer.protocol === 'http:' && isLoopbackUrl(issuer) ? [oidc.allowInsecureRequests] : [];
  return oidc.discovery(issuer, provider.clientId, provider.clientSecret, undefined, {
    execute,
    timeout: PROVIDER_TIMEOUT_SECONDS,
    [oidc.customFetch]: providerFetch,
  });
}
