import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import { CompactSign, decodeJwt, decodeProtectedHeader, exportJWK, generateKeyPair } from 'jose';
import Provider, { type Account, type Adapter, type AdapterPayload, type ClientMetadata, type Configuration, type JWK } from 'oidc-provider';

/**
 * A stand-in for the certificate services (Naver, Kakao, PASS): a real OpenID Connect provider
 * (`oidc-provider`) on 127.0.0.1, with one confidential client that must use PKCE, an in-memory
 * account store and a tiny interaction route that logs an account in and consents, so tests can
 * finish a sign-in without a browser and a person can do it in one for demos.
 */

/** A person known to the stand-in, with the claims the app asks for. */
export interface StandInAccount {
  id: string;
  /** Connecting information; left out to exercise the app's `sub` fallback. */
  ci?: string;
  name?: string;
  /** YYYY-MM-DD */
  birthdate?: string;
  gender?: 'male' | 'female';
  /** E.164, e.g. +82 10-1234-5678 */
  phone_number?: string;
}

export interface OidcStandInOptions {
  /** Exact redirect URIs the client may use (the app's `…/oidc/{provider}/callback`). */
  redirectUris: string[];
  accounts?: StandInAccount[];
  /** 0 or unset: any free port. */
  port?: number;
  /** Delay added to every request, for realistic demos. */
  latencyMs?: number;
  clientId?: string;
  clientSecret?: string;
}

export interface OidcStandIn {
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** This provider's entry of YEYAK_OIDC_PROVIDERS. */
  providerConfig: { issuer: string; clientId: string; clientSecret: string };
  accounts: Map<string, StandInAccount>;
  /**
   * Plays the browser at the provider: follows `authorizationUrl`, logs `accountId` in, consents,
   * and returns the redirect the provider sends back to the app (code, state, iss).
   */
  signInAs(authorizationUrl: string, accountId: string): Promise<URL>;
  /** Makes the next ID token a misbehaving one: edits its claims and signs it again with the provider's key. */
  tamperNextIdToken(edit: (claims: Record<string, unknown>) => Record<string, unknown>): void;
  close(): Promise<void>;
}

const INTERACTION = /^\/interaction\/([A-Za-z0-9_-]+)$/;

/** Starts the stand-in on 127.0.0.1. */
export async function startOidcStandIn(options: OidcStandInOptions): Promise<OidcStandIn> {
  const clientId = options.clientId ?? 'yeyak';
  const clientSecret = options.clientSecret ?? randomBytes(24).toString('base64url');
  const accounts = new Map((options.accounts ?? []).map((a) => [a.id, a]));
  // Listening first tells the issuer URL; requests are handled once the provider exists.
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const { privateKey } = await generateKeyPair('RS256', { extractable: true });
  const signingKey = { ...(await exportJWK(privateKey)), kid: 'stand-in-1', alg: 'RS256', use: 'sig' };
  const client: ClientMetadata = {
    client_id: clientId,
    client_secret: clientSecret,
    redirect_uris: options.redirectUris,
    response_types: ['code'],
    grant_types: ['authorization_code'],
    token_endpoint_auth_method: 'client_secret_post',
  };
  const configuration: Configuration = {
    clients: [client],
    jwks: { keys: [signingKey as JWK] },
    cookies: { keys: [randomBytes(32).toString('base64url')] },
    pkce: { required: () => true },
    features: { devInteractions: { enabled: false } },
    adapter: memoryAdapter(),
    ttl: { AccessToken: 600, AuthorizationCode: 60, ClientCredentials: 600, Grant: 600, IdToken: 600, Interaction: 600, Session: 600 },
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    claims: { openid: ['sub', 'ci'], profile: ['name', 'birthdate', 'gender'], phone: ['phone_number'] },
    findAccount: (_ctx, id): Account | undefined => {
      const account = accounts.get(id);
      if (!account) return undefined;
      const { id: sub, ...claims } = account;
      return { accountId: sub, claims: () => ({ sub, ...Object.fromEntries(Object.entries(claims).filter(([, v]) => v !== undefined)) }) };
    },
  };
  const provider = new Provider(issuer, configuration);

  let nextIdTokenEdit: ((claims: Record<string, unknown>) => Record<string, unknown>) | null = null;
  if (options.latencyMs) {
    const latency = options.latencyMs;
    provider.use(async (_ctx, next) => {
      await delay(latency);
      await next();
    });
  }
  provider.use(async (ctx, next) => {
    await next();
    const body = ctx.body as Record<string, unknown> | undefined;
    if (nextIdTokenEdit && ctx.path === '/token' && ctx.status === 200 && typeof body?.id_token === 'string') {
      const edit = nextIdTokenEdit;
      nextIdTokenEdit = null;
      const header = decodeProtectedHeader(body.id_token);
      const claims = edit({ ...decodeJwt(body.id_token) });
      const idToken = await new CompactSign(new TextEncoder().encode(JSON.stringify(claims)))
        .setProtectedHeader({ alg: header.alg ?? 'RS256', kid: header.kid ?? signingKey.kid })
        .sign(privateKey);
      ctx.body = { ...body, id_token: idToken };
    }
  });

  const providerHandler = provider.callback();
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const match = INTERACTION.exec((req.url ?? '').split('?')[0] ?? '');
    if (!match) return void providerHandler(req, res);
    interact(req, res).catch((error: unknown) => {
      res.statusCode = 400;
      res.end(`interaction failed: ${error instanceof Error ? error.message : String(error)}`);
    });
  });

  /** GET: a page to pick an account (demos). POST accountId: log it in, consent, and resume. */
  async function interact(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const details = await provider.interactionDetails(req, res);
    if (req.method === 'GET') {
      res.setHeader('content-type', 'text/html; charset=utf-8');
      const buttons = [...accounts.values()]
        .map((a) => `<p><button name="accountId" value="${escapeHtml(a.id)}">${escapeHtml(a.name ?? a.id)} (${escapeHtml(a.birthdate ?? '?')})</button></p>`)
        .join('');
      res.end(`<!doctype html><meta charset="utf-8"><title>Stand-in sign-in</title><h1>Sign in (stand-in)</h1><form method="post">${buttons}</form>`);
      return;
    }
    const accountId = new URLSearchParams(await readBody(req)).get('accountId') ?? '';
    if (!accounts.has(accountId)) throw new Error(`unknown account "${accountId}"`);
    const grant = new provider.Grant({ accountId, clientId: String(details.params.client_id) });
    grant.addOIDCScope(String(details.params.scope ?? 'openid'));
    const grantId = await grant.save();
    await provider.interactionFinished(req, res, { login: { accountId }, consent: { grantId } }, { mergeWithLastSubmission: false });
  }

  return {
    issuer,
    clientId,
    clientSecret,
    providerConfig: { issuer, clientId, clientSecret },
    accounts,
    signInAs: (authorizationUrl, accountId) => playBrowser(issuer, authorizationUrl, accountId),
    tamperNextIdToken: (edit) => {
      nextIdTokenEdit = edit;
    },
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Follows the provider's redirects with a cookie jar until it sends the browser elsewhere (the app). */
async function playBrowser(issuer: string, authorizationUrl: string, accountId: string): Promise<URL> {
  const jar = new Map<string, string>();
  const origin = new URL(issuer).origin;
  let url = new URL(authorizationUrl);
  let init: RequestInit = {};
  for (let hop = 0; hop < 10; hop += 1) {
    if (url.origin !== origin) return url;
    const headers = new Headers(init.headers);
    headers.set('cookie', [...jar].map(([k, v]) => `${k}=${v}`).join('; '));
    const res = await fetch(url, { ...init, headers, redirect: 'manual' });
    for (const setCookie of res.headers.getSetCookie()) {
      const [pair = ''] = setCookie.split(';');
      const eq = pair.indexOf('=');
      const [name, value] = [pair.slice(0, eq).trim(), pair.slice(eq + 1).trim()];
      if (value === '' || /expires=Thu, 01 Jan 1970/i.test(setCookie)) jar.delete(name);
      else jar.set(name, value);
    }
    const location = res.headers.get('location');
    if (location === null) throw new Error(`stand-in answered ${res.status} without a redirect: ${(await res.text()).slice(0, 300)}`);
    await res.body?.cancel();
    url = new URL(location, url);
    init = INTERACTION.test(url.pathname)
      ? { method: 'POST', body: new URLSearchParams({ accountId }), headers: { 'content-type': 'application/x-www-form-urlencoded' } }
      : {};
  }
  throw new Error('too many redirects at the stand-in');
}

/**
 * The provider's artefacts (sessions, interactions, codes, grants) in a Map of this stand-in:
 * what a real provider keeps in its database. One store per stand-in, so stand-ins share nothing.
 */
function memoryAdapter(): (model: string) => Adapter {
  const store = new Map<string, { payload: AdapterPayload; expiresAt: number }>();
  const byGrant = new Map<string, Set<string>>();
  const live = (key: string): AdapterPayload | undefined => {
    const entry = store.get(key);
    if (entry && entry.expiresAt <= Date.now()) store.delete(key);
    return entry && entry.expiresAt > Date.now() ? entry.payload : undefined;
  };
  const findBy = (model: string, field: 'uid' | 'userCode', value: string) =>
    [...store.keys()].filter((key) => key.startsWith(`${model}:`)).map(live).find((p) => p?.[field] === value);
  return (model) => ({
    upsert: async (id, payload, expiresIn) => {
      const key = `${model}:${id}`;
      store.set(key, { payload, expiresAt: expiresIn ? Date.now() + expiresIn * 1000 : Infinity });
      if (payload.grantId) byGrant.set(payload.grantId, (byGrant.get(payload.grantId) ?? new Set()).add(key));
    },
    find: async (id) => live(`${model}:${id}`),
    findByUid: async (uid) => findBy(model, 'uid', uid),
    findByUserCode: async (userCode) => findBy(model, 'userCode', userCode),
    consume: async (id) => {
      const payload = live(`${model}:${id}`);
      if (payload) payload.consumed = Math.floor(Date.now() / 1000);
    },
    destroy: async (id) => {
      store.delete(`${model}:${id}`);
    },
    revokeByGrantId: async (grantId) => {
      for (const key of byGrant.get(grantId) ?? []) store.delete(key);
      byGrant.delete(grantId);
    },
  });
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
