import { ConfigError } from './config-secrets.ts';

/** One OpenID Connect provider (a certificate service such as Naver, Kakao or PASS). */
export interface OidcProviderConfig {
  /** Issuer identifier; its `/.well-known/openid-configuration` is discovered. */
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** Scopes asked for; must include `openid`. */
  scope: string;
}

const VARIABLE = 'YEYAK_OIDC_PROVIDERS';
const PROVIDER_NAME = /^[a-z][a-z0-9-]{0,31}$/;
const FIELDS = new Set(['issuer', 'clientId', 'clientSecret', 'scope']);
export const DEFAULT_OIDC_SCOPE = 'openid profile phone';
const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** True for an issuer on this machine, the only place plain HTTP is tolerated (tests, demos). */
export function isLoopbackUrl(url: URL): boolean {
  return LOOPBACK_HOSTS.has(url.hostname);
}

function nonEmptyString(value: unknown, where: string): string {
  if (typeof value !== 'string' || value.trim() === '') throw new ConfigError(`${where} must be a non-empty string`);
  return value;
}

function issuerOf(value: unknown, where: string): string {
  const raw = nonEmptyString(value, where);
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(`${where} is not a URL`);
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && isLoopbackUrl(url))) {
    throw new ConfigError(`${where} must use https (plain http only on 127.0.0.1 or localhost)`);
  }
  if (url.search !== '' || url.hash !== '') throw new ConfigError(`${where} must not have a query or fragment`);
  return raw;
}

function providerOf(name: string, value: unknown): OidcProviderConfig {
  const where = `${VARIABLE}.${name}`;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ConfigError(`${where} must be an object {"issuer", "clientId", "clientSecret"}`);
  }
  const entry = value as Record<string, unknown>;
  // A misspelt field would otherwise be silently ignored.
  const unknown = Object.keys(entry).filter((key) => !FIELDS.has(key));
  if (unknown.length > 0) throw new ConfigError(`${where} has unknown fields: ${unknown.join(', ')}`);
  const scope = entry.scope === undefined ? DEFAULT_OIDC_SCOPE : nonEmptyString(entry.scope, `${where}.scope`);
  if (!scope.split(/\s+/).includes('openid')) throw new ConfigError(`${where}.scope must include "openid"`);
  return Object.freeze({
    issuer: issuerOf(entry.issuer, `${where}.issuer`),
    clientId: nonEmptyString(entry.clientId, `${where}.clientId`),
    clientSecret: nonEmptyString(entry.clientSecret, `${where}.clientSecret`),
    scope,
  });
}

/**
 * Parses `YEYAK_OIDC_PROVIDERS`: JSON `{"naver": {"issuer", "clientId", "clientSecret", "scope"?}, …}`.
 * Unset or empty means no provider. Messages never echo the secret.
 */
export function parseOidcProviders(raw: string | undefined): Readonly<Record<string, OidcProviderConfig>> {
  if (raw === undefined || raw.trim() === '') return Object.freeze({});
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new ConfigError(`${VARIABLE} is not valid JSON`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new ConfigError(`${VARIABLE} must be a JSON object {"<provider>": {"issuer", "clientId", "clientSecret"}, …}`);
  }
  const providers: Record<string, OidcProviderConfig> = {};
  for (const [name, value] of Object.entries(parsed)) {
    if (!PROVIDER_NAME.test(name)) throw new ConfigError(`${VARIABLE}: provider name "${name}" must match ${PROVIDER_NAME.source}`);
    providers[name] = providerOf(name, value);
  }
  return Object.freeze(providers);
}

/**
 * Parses `YEYAK_PUBLIC_URL`, the app's external origin (redirect URIs are built from it);
 * returned without a trailing slash.
 */
export function parsePublicUrl(raw: string | undefined, port: number): string {
  if (raw === undefined || raw === '') return `http://localhost:${port}`;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError('YEYAK_PUBLIC_URL is not a URL');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new ConfigError('YEYAK_PUBLIC_URL must use http or https');
  if ((url.pathname !== '/' && url.pathname !== '') || url.search !== '' || url.hash !== '' || url.username !== '' || url.password !== '') {
    throw new ConfigError('YEYAK_PUBLIC_URL must be an origin only, such as https://yeyak.example.kr');
  }
  return url.origin;
}
