import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** Signing and hashing secrets. Each key has an id so it can be rotated (the newest signs, all verify). */
export interface Secrets {
  /** HMAC keys for sessions, tickets and admissions: kid → key bytes. The first is the active one. */
  signingKeys: { kid: string; key: Buffer }[];
  /** Pepper of the person key: HMAC(pepper, CI). */
  personPepper: Buffer;
}

export interface Config {
  port: number;
  host: string;
  databaseUrl: string | null;
  dataDir: string;
  redisUrl: string | null;
  operatorKey: string | null;
  devIdentity: boolean;
  demo: boolean;
  /** Connections to PostgreSQL per process. */
  dbPoolSize: number;
  /** Largest accepted request body in bytes. */
  bodyLimit: number;
  logLevel: string;
  secrets: Secrets;
  /** Session lifetime in seconds. */
  sessionTtlSeconds: number;
  /** Cookies carry the Secure flag unless explicitly turned off for plain-HTTP local testing. */
  secureCookies: boolean;
}

export class ConfigError extends Error {}

type Env = Record<string, string | undefined>;

function intVar(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+$/.test(raw)) throw new ConfigError(`${name} must be an integer, got "${raw}"`);
  const n = Number(raw);
  if (n < min || n > max) throw new ConfigError(`${name} must be between ${min} and ${max}, got ${n}`);
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

/** Parses `kid1:base64key,kid2:base64key` (newest first); each key at least 32 bytes. */
function parseSigningKeys(raw: string): Secrets['signingKeys'] {
  const keys = raw.split(',').map((part) => {
    const [kid, b64] = part.split(':');
    if (!kid || !b64) throw new ConfigError('YEYAK_SIGNING_KEYS must be "kid:base64key[,kid:base64key…]"');
    const key = Buffer.from(b64, 'base64');
    if (key.length < 32) throw new ConfigError(`signing key "${kid}" must be at least 32 bytes`);
    return { kid, key };
  });
  return keys;
}

function parsePepper(raw: string): Buffer {
  const pepper = Buffer.from(raw, 'base64');
  if (pepper.length < 32) throw new ConfigError('YEYAK_PERSON_PEPPER must be at least 32 bytes (base64)');
  return pepper;
}

/**
 * Secrets come from configuration. On the embedded default (no DATABASE_URL) they are generated
 * once into the data directory, so a restart keeps every session and person key valid.
 */
function loadSecrets(env: Env, dataDir: string, embedded: boolean): Secrets {
  if (env.YEYAK_SIGNING_KEYS && env.YEYAK_PERSON_PEPPER) {
    return { signingKeys: parseSigningKeys(env.YEYAK_SIGNING_KEYS), personPepper: parsePepper(env.YEYAK_PERSON_PEPPER) };
  }
  if (!embedded) {
    throw new ConfigError('YEYAK_SIGNING_KEYS and YEYAK_PERSON_PEPPER are required when DATABASE_URL is set');
  }
  const file = join(dataDir, 'secrets.json');
  if (!existsSync(file)) {
    mkdirSync(dataDir, { recursive: true });
    const fresh = {
      signingKeys: `k${Date.now().toString(36)}:${randomBytes(32).toString('base64')}`,
      personPepper: randomBytes(32).toString('base64'),
    };
    writeFileSync(file, JSON.stringify(fresh, null, 2), { mode: 0o600 });
  }
  const stored = JSON.parse(readFileSync(file, 'utf8')) as { signingKeys: string; personPepper: string };
  return {
    signingKeys: parseSigningKeys(env.YEYAK_SIGNING_KEYS ?? stored.signingKeys),
    personPepper: parsePepper(env.YEYAK_PERSON_PEPPER ?? stored.personPepper),
  };
}

/** Reads and validates the environment once; the result is frozen and passed down. */
export function loadConfig(env: Env = process.env): Readonly<Config> {
  const databaseUrl = urlVar(env, 'DATABASE_URL', ['postgres:', 'postgresql:']);
  const embedded = databaseUrl === null;
  const dataDir = resolve(env.YEYAK_DATA_DIR || './data');
  const operatorKey = env.YEYAK_OPERATOR_KEY || null;
  if (operatorKey !== null && operatorKey.length < 16) {
    throw new ConfigError('YEYAK_OPERATOR_KEY must be at least 16 characters');
  }
  const config: Config = {
    port: intVar(env, 'PORT', 3000, 0, 65535),
    host: env.HOST || '127.0.0.1',
    databaseUrl,
    dataDir,
    redisUrl: urlVar(env, 'REDIS_URL', ['redis:', 'rediss:']),
    operatorKey,
    devIdentity: flagVar(env, 'YEYAK_DEV_IDENTITY', embedded),
    demo: flagVar(env, 'YEYAK_DEMO', embedded),
    dbPoolSize: intVar(env, 'YEYAK_DB_POOL_SIZE', 10, 1, 500),
    bodyLimit: intVar(env, 'YEYAK_BODY_LIMIT', 1_048_576, 1024, 64 * 1_048_576),
    logLevel: oneOf(env, 'LOG_LEVEL', ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], 'info'),
    secrets: loadSecrets(env, dataDir, embedded),
    sessionTtlSeconds: intVar(env, 'YEYAK_SESSION_TTL_SECONDS', 3600, 60, 86_400),
    secureCookies: flagVar(env, 'YEYAK_SECURE_COOKIES', true),
  };
  return Object.freeze(config);
}
