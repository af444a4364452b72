import { COSIGNATURE_V1, verifierOf } from './lib/signed-note.ts';
import { resolve } from 'node:path';
import { parseTrustProxy, type TrustProxy } from './config-proxy.ts';
import { parseRedisSentinels, type RedisSentinelConfig } from './config-redis.ts';
import { ConfigError, loadSecrets, type Secrets } from './config-secrets.ts';
import { parseOidcProviders, parsePublicUrl, type OidcProviderConfig } from './config-oidc.ts';

export { ConfigError };

export interface Config {
  port: number;
  host: string;
  databaseUrl: string | null;
  dataDir: string;
  redisUrl: string | null;
  /** Redis found through Sentinel (null: `redisUrl`'s host is dialled directly); needs `redisUrl`, whose credentials and database it uses. */
  redisSentinel: RedisSentinelConfig | null;
  operatorKey: string | null;
  /** The synthetic probe's credential (`YEYAK_PROBE_KEY`): signs in registered synthetic persons only; null: probe sign-in is off. */
  probeKey: string | null;
  devIdentity: boolean;
  demo: boolean;
  /** Connections to PostgreSQL per process. */
  dbPoolSize: number;
  /** The booking path's own PostgreSQL pool per process (0: it shares the main pool). */
  dbBookingPoolSize: number;
  /** The node's background work's own PostgreSQL pool per process (0: it shares the main pool). */
  dbBackgroundPoolSize: number;
  /** Recurring statements run as named prepared statements (off behind a pooler that cannot keep them). */
  dbPrepareStatements: boolean;
  /** Largest accepted request body in bytes. */
  bodyLimit: number;
  logLevel: string;
  /** The waiting room's hot routes log 1 request in this many (server errors always); 0: none, 1: all. */
  hotPathLogSample: number;
  /** On SIGTERM, seconds during which readiness fails while requests are still served, before the close. */
  shutdownDrainSeconds: number;
  secrets: Secrets;
  /**
   * This node's clock against the database's: past `maxSkewMs` (0: never compared) the node refuses
   * to serve and holds its background work. `labOffsetMs` moves this node's clock (lab only: the
   * chaos suite's wrong clock); 0 in production.
   */
  clock: { maxSkewMs: number; labOffsetMs: number };
  /** Load shedding thresholds: past any of them, requests get 503 with Retry-After before any work. */
  shedding: { maxEventLoopDelayMs: number; maxHeapUsedBytes: number; maxDbWaiting: number; maxDbWaitMs: number };
  /** How long an admission lasts (extended while the person is active), in seconds. */
  admissionTtlSeconds: number;
  /** Session lifetime in seconds. */
  sessionTtlSeconds: number;
  /** Lifetime of an operator token from `POST /api/v1/admin/login`, in seconds (a work shift). */
  operatorTokenTtlSeconds: number;
  /** Identity attempts allowed per network address and per claimed person in ten minutes. */
  identityLimits: { perAddress: number; perPerson: number };
  /** Which proxies' `X-Forwarded-For` gives the client's address (Fastify's `trustProxy`); false: none. */
  trustProxy: TrustProxy;
  /** Cookies carry the Secure flag unless explicitly turned off for plain-HTTP local testing. */
  secureCookies: boolean;
  /** The app's external origin (OpenID Connect redirect URIs are built from it). */
  publicUrl: string;
  /** OpenID Connect providers by name (`naver`, `kakao`, `pass`, …); empty when none is configured. */
  oidcProviders: Readonly<Record<string, OidcProviderConfig>>;
  /** The national immunization registry: base URL (null: nothing is reported or imported), call timeout, import period. */
  registry: { url: string | null; timeoutMs: number; importIntervalSeconds: number };
  /** The SMS/KakaoTalk gateway: base URL (null: the in-process stand-in) and the channel messages go by. */
  messages: { gatewayUrl: string | null; channel: 'kakao' | 'sms' };
  /** Witnesses whose cosignatures the queue logs accept and serve: their C2SP verifier keys (type 0x04). */
  logWitnesses: string[];
  /** Whether this process runs the outbox workers (registry, messages, reminders, import). */
  workers: boolean;
  /** Finished outbox work: `done` jobs (and events whose jobs are all gone) older than this are deleted, checked every interval. */
  outbox: { retentionHours: number; pruneIntervalSeconds: number };
}

export type Env = Record<string, string | undefined>;

/**
 * Identity attempts per 10 minutes. Per address: a carrier-grade NAT puts thousands of phones
 * behind one address, nearly all signing in within the hour before an opening, so the address
 * limit only stops a script hammering from one place; the per-person limit is the real guard.
 */
/**
 * Seconds a node keeps serving after SIGTERM while its readiness fails, so a balancer that checks
 * every 2 s and takes a node out after 2 failures (deploy/haproxy/yeyak.cfg) stops sending to it
 * before it stops accepting: a rolling restart then drops no request.
 */
export const DEFAULT_SHUTDOWN_DRAIN_SECONDS = 5;

/**
 * Milliseconds a node's clock may differ from PostgreSQL's before it stops serving. Servers kept by
 * NTP agree within milliseconds; 3 s tolerates a slow reading and a clock being corrected, and is
 * far below anything that moves a 20:00 opening or a birth-date window.
 */
const DEFAULT_MAX_CLOCK_SKEW_MS = 3_000;

export const DEFAULT_IDENTITY_LIMITS = { perAddress: 5_000, perPerson: 10 } as const;

function trustProxyVar(env: Env): TrustProxy {
  const parsed = parseTrustProxy(env.YEYAK_TRUST_PROXY);
  if (typeof parsed === 'object' && !Array.isArray(parsed)) throw new ConfigError(`YEYAK_TRUST_PROXY: ${parsed.error}`);
  return parsed;
}

/**
 * With Sentinels, `REDIS_URL` stays the one switch that turns Redis on and carries the password,
 * database and TLS; its host and port are not dialled, since the Sentinels name the primary.
 */
function redisSentinelVar(env: Env, redisUrl: string | null): RedisSentinelConfig | null {
  const parsed = parseRedisSentinels(env.YEYAK_REDIS_SENTINELS, env.YEYAK_REDIS_MASTER_NAME);
  if (parsed !== null && 'error' in parsed) throw new ConfigError(parsed.error);
  if (parsed !== null && redisUrl === null) throw new ConfigError('YEYAK_REDIS_SENTINELS needs REDIS_URL (e.g. redis://:password@yeyak/0: its password and database are used, its host is not dialled)');
  return parsed;
}

/** YEYAK_LOG_WITNESSES: witness verifier keys, separated by commas or whitespace. */
function witnessKeysVar(env: Env): string[] {
  const keys = (env.YEYAK_LOG_WITNESSES ?? '').split(/[\s,]+/).filter((k) => k !== '');
  for (const key of keys) {
    try {
      verifierOf(key, [COSIGNATURE_V1]);
    } catch (error) {
      throw new ConfigError(`YEYAK_LOG_WITNESSES: not a witness verifier key (name+hash+base64 of type 0x04): ${key} (${(error as Error).message})`);
    }
  }
  return keys;
}

function intVar(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+$/.test(raw)) throw new ConfigError(`${name} must be an integer, got "${raw}"`);
  const n = Number(raw);
  if (n < min || n > max) throw new ConfigError(`${name} must be between ${min} and ${max}, got ${n}`);
  return n;
}

function signedIntVar(env: Env, name: string, fallback: number, limit: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!/^-?\d+$/.test(raw)) throw new ConfigError(`${name} must be an integer, got "${raw}"`);
  const n = Number(raw);
  if (Math.abs(n) > limit) throw new ConfigError(`${name} must be between -${limit} and ${limit}, got ${n}`);
  return n;
}

function flagVar(env: Env, name: string, fallback: boolean): boolean {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (raw === '1' || raw === 'true') return true;
  if (raw === '0' || raw === 'false') return false;
  throw new ConfigError(`${name} must be 1 or 0, got "${raw}"`);
}

function oneOf(env: Env, name: string, allowed: string[], fallback: string): string {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!allowed.includes(raw)) throw new ConfigError(`${name} must be one of ${allowed.join(', ')}, got "${raw}"`);
  return raw;
}

function urlVar(env: Env, name: string, protocols: string[]): string | null {
  const raw = env[name];
  if (raw === undefined || raw === '') return null;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(`${name} is not a URL`);
  }
  if (!protocols.includes(url.protocol)) throw new ConfigError(`${name} must use ${protocols.join(' or ')}`);
  return raw;
}

/** Reads and validates the environment once; the result is frozen and passed down. */
export function loadConfig(env: Env = process.env): Readonly<Config> {
  const databaseUrl = urlVar(env, 'DATABASE_URL', ['postgres:', 'postgresql:']);
  const embedded = databaseUrl === null;
  const dataDir = resolve(env.YEYAK_DATA_DIR || './data');
  const operatorKey = env.YEYAK_OPERATOR_KEY || null;
  const redisUrl = urlVar(env, 'REDIS_URL', ['redis:', 'rediss:']);
  if (operatorKey !== null && operatorKey.length < 16) {
    throw new ConfigError('YEYAK_OPERATOR_KEY must be at least 16 characters');
  }
  const probeKey = env.YEYAK_PROBE_KEY || null;
  if (probeKey !== null && probeKey.length < 16) throw new ConfigError('YEYAK_PROBE_KEY must be at least 16 characters');
  // Credentials are never interchangeable: the probe's must not also open the operator's door.
  if (probeKey !== null && probeKey === operatorKey) throw new ConfigError('YEYAK_PROBE_KEY must differ from YEYAK_OPERATOR_KEY');
  const config: Config = {
    port: intVar(env, 'PORT', 3000, 0, 65535),
    host: env.HOST || '127.0.0.1',
    databaseUrl,
    dataDir,
    redisUrl,
    redisSentinel: redisSentinelVar(env, redisUrl),
    operatorKey,
    probeKey,
    devIdentity: flagVar(env, 'YEYAK_DEV_IDENTITY', embedded),
    demo: flagVar(env, 'YEYAK_DEMO', embedded),
    dbPoolSize: intVar(env, 'YEYAK_DB_POOL_SIZE', 10, 1, 500),
    dbBookingPoolSize: intVar(env, 'YEYAK_DB_BOOKING_POOL_SIZE', 10, 0, 500),
    dbBackgroundPoolSize: intVar(env, 'YEYAK_DB_BACKGROUND_POOL_SIZE', 4, 0, 500),
    dbPrepareStatements: flagVar(env, 'YEYAK_DB_PREPARE_STATEMENTS', true),
    bodyLimit: intVar(env, 'YEYAK_BODY_LIMIT', 1_048_576, 1024, 64 * 1_048_576),
    logLevel: oneOf(env, 'LOG_LEVEL', ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], 'info'),
    hotPathLogSample: intVar(env, 'YEYAK_HOT_PATH_LOG_SAMPLE', 1000, 0, 1_000_000),
    shutdownDrainSeconds: intVar(env, 'YEYAK_SHUTDOWN_DRAIN_SECONDS', DEFAULT_SHUTDOWN_DRAIN_SECONDS, 0, 120),
    secrets: loadSecrets(env, dataDir, embedded),
    clock: {
      maxSkewMs: intVar(env, 'YEYAK_MAX_CLOCK_SKEW_MS', DEFAULT_MAX_CLOCK_SKEW_MS, 0, 3_600_000),
      labOffsetMs: signedIntVar(env, 'YEYAK_LAB_CLOCK_OFFSET_MS', 0, 7 * 86_400_000),
    },
    shedding: {
      maxEventLoopDelayMs: intVar(env, 'YEYAK_SHED_EVENT_LOOP_DELAY_MS', 500, 0, 60_000),
      maxHeapUsedBytes: intVar(env, 'YEYAK_SHED_HEAP_USED_BYTES', 0, 0, Number.MAX_SAFE_INTEGER),
      maxDbWaiting: intVar(env, 'YEYAK_SHED_DB_WAITING', 500, 0, 1_000_000),
      maxDbWaitMs: intVar(env, 'YEYAK_SHED_DB_WAIT_MS', 250, 0, 60_000),
    },
    admissionTtlSeconds: intVar(env, 'YEYAK_ADMISSION_TTL_SECONDS', 600, 60, 7200),
    sessionTtlSeconds: intVar(env, 'YEYAK_SESSION_TTL_SECONDS', 3600, 60, 86_400),
    operatorTokenTtlSeconds: intVar(env, 'YEYAK_OPERATOR_TOKEN_TTL_SECONDS', 8 * 3600, 300, 12 * 3600),
    trustProxy: trustProxyVar(env),
    identityLimits: {
      perAddress: intVar(env, 'YEYAK_IDENTITY_LIMIT_PER_ADDRESS', DEFAULT_IDENTITY_LIMITS.perAddress, 1, 100_000_000),
      perPerson: intVar(env, 'YEYAK_IDENTITY_LIMIT_PER_PERSON', DEFAULT_IDENTITY_LIMITS.perPerson, 1, 100_000_000),
    },
    secureCookies: flagVar(env, 'YEYAK_SECURE_COOKIES', true),
    publicUrl: parsePublicUrl(env.YEYAK_PUBLIC_URL, intVar(env, 'PORT', 3000, 0, 65535)),
    oidcProviders: parseOidcProviders(env.YEYAK_OIDC_PROVIDERS),
    registry: {
      url: urlVar(env, 'YEYAK_REGISTRY_URL', ['http:', 'https:']),
      timeoutMs: intVar(env, 'YEYAK_REGISTRY_TIMEOUT_MS', 3000, 100, 60_000),
      importIntervalSeconds: intVar(env, 'YEYAK_REGISTRY_IMPORT_INTERVAL_SECONDS', 300, 10, 86_400),
    },
    logWitnesses: witnessKeysVar(env),
    messages: {
      gatewayUrl: urlVar(env, 'YEYAK_MESSAGE_GATEWAY_URL', ['http:', 'https:']),
      channel: oneOf(env, 'YEYAK_MESSAGE_CHANNEL', ['kakao', 'sms'], 'kakao') as 'kakao' | 'sms',
    },
    workers: flagVar(env, 'YEYAK_WORKERS', true),
    outbox: {
      // At least a day: a done reminder job's unique key is what stops the scheduler, which looks at
      // tomorrow's doses all evening, from enqueuing the same reminder again.
      retentionHours: intVar(env, 'YEYAK_OUTBOX_RETENTION_HOURS', 72, 24, 24 * 366),
      pruneIntervalSeconds: intVar(env, 'YEYAK_OUTBOX_PRUNE_INTERVAL_SECONDS', 600, 10, 86_400),
    },
  };
  return Object.freeze(config);
}
