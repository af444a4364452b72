import { createSecretKey, randomBytes, type KeyObject } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { KeyWithId } from './lib/envelope-crypto.ts';
import { NoteError, generateSignerKey, signerOf, type NoteSigner } from './lib/signed-note.ts';

export class ConfigError extends Error {}

/** Signing, hashing and encryption secrets. Each key has an id so it can be rotated (the first is active, all are accepted). */
export interface Secrets {
  /** HMAC keys for sessions, tickets, admissions and operator tokens. */
  signingKeys: KeyWithId[];
  /** Pepper of the person key: HMAC(pepper, CI), and of hashed contact identities. */
  /** A KeyObject: node:crypto turns a raw Buffer key into one on every call, at 8× the HMAC's cost. */
  personPepper: KeyObject;
  /** Key-encryption keys (AES-256) that wrap the data keys of personal data. */
  encryptionKeys: KeyWithId[];
  /**
   * The queue log's signer (C2SP signer key, `YEYAK_LOG_SIGNER_KEY`), with its verifier key; its
   * name starts each campaign log's origin. Generated with the other secrets on the embedded
   * default, required with DATABASE_URL (docs/transparency.md); null only where the deployment
   * says it keeps no log (`YEYAK_QUEUE_LOG=off`).
   */
  logSigner: (NoteSigner & { verifierKey: string }) | null;
}

type Env = Record<string, string | undefined>;

/** Parses `kid1:base64key,kid2:base64key` (newest first); each key at least `minBytes`. */
function parseKeys(name: string, raw: string, minBytes: number, exactBytes?: number): KeyWithId[] {
  return raw.split(',').map((part) => {
    const [kid, b64] = part.split(':');
    if (!kid || !b64) throw new ConfigError(`${name} must be "kid:base64key[,kid:base64key…]"`);
    const key = Buffer.from(b64, 'base64');
    if (key.length < minBytes || (exactBytes !== undefined && key.length !== exactBytes)) {
      throw new ConfigError(`${name}: key "${kid}" must be ${exactBytes ?? `at least ${minBytes}`} bytes`);
    }
    return { kid, key };
  });
}

function parseLogSigner(raw: string): NoteSigner & { verifierKey: string } {
  try {
    return signerOf(raw);
  } catch (error) {
    if (error instanceof NoteError) throw new ConfigError(`YEYAK_LOG_SIGNER_KEY must be a C2SP signer key (PRIVATE+KEY+name+hash+base64): ${error.message}`);
    throw error;
  }
}

/** The name of the queue log's key on the embedded default. */
const EMBEDDED_LOG_KEY_NAME = 'localhost/yeyak-queue-log';

function parsePepper(raw: string): KeyObject {
  const pepper = Buffer.from(raw, 'base64');
  if (pepper.length < 32) throw new ConfigError('YEYAK_PERSON_PEPPER must be at least 32 bytes (base64)');
  return createSecretKey(pepper);
}

const newKey = (prefix: string) => `${prefix}${Date.now().toString(36)}:${randomBytes(32).toString('base64')}`;

/**
 * Secrets come from configuration. On the embedded default (no DATABASE_URL) any that are not
 * configured are generated once into the data directory, so a restart keeps every session,
 * person key and encrypted record readable. A server deployment must configure all of them.
 */
export function loadSecrets(env: Env, dataDir: string, embedded: boolean): Secrets {
  const configured = { signingKeys: env.YEYAK_SIGNING_KEYS, personPepper: env.YEYAK_PERSON_PEPPER, encryptionKeys: env.YEYAK_ENCRYPTION_KEYS, logSignerKey: env.YEYAK_LOG_SIGNER_KEY };
  const keepsLog = queueLogKept(env);
  if (!embedded && keepsLog && !configured.logSignerKey) {
    throw new ConfigError('YEYAK_LOG_SIGNER_KEY is required when DATABASE_URL is set: the queue’s public log is signed with it (npm run log:signer-key). A deployment that keeps no log says so with YEYAK_QUEUE_LOG=off');
  }
  let stored: Partial<Record<keyof typeof configured, string>> = {};
  if (!configured.signingKeys || !configured.personPepper || !configured.encryptionKeys) {
    if (!embedded) {
      throw new ConfigError('YEYAK_SIGNING_KEYS, YEYAK_PERSON_PEPPER and YEYAK_ENCRYPTION_KEYS are required when DATABASE_URL is set');
    }
    const file = join(dataDir, 'secrets.json');
    if (existsSync(file)) stored = JSON.parse(readFileSync(file, 'utf8')) as typeof stored;
    const complete = {
      signingKeys: stored.signingKeys ?? newKey('s'),
      personPepper: stored.personPepper ?? randomBytes(32).toString('base64'),
      encryptionKeys: stored.encryptionKeys ?? newKey('e'),
      logSignerKey: stored.logSignerKey ?? generateSignerKey(EMBEDDED_LOG_KEY_NAME),
    };
    if (JSON.stringify(complete) !== JSON.stringify(stored)) {
      mkdirSync(dataDir, { recursive: true });
      writeFileSync(file, JSON.stringify(complete, null, 2), { mode: 0o600 });
    }
    stored = complete;
  }
  return {
    signingKeys: parseKeys('YEYAK_SIGNING_KEYS', configured.signingKeys ?? stored.signingKeys!, 32),
    personPepper: parsePepper(configured.personPepper ?? stored.personPepper!),
    encryptionKeys: parseKeys('YEYAK_ENCRYPTION_KEYS', configured.encryptionKeys ?? stored.encryptionKeys!, 32, 32),
    logSigner: keepsLog && (configured.logSignerKey || stored.logSignerKey) ? parseLogSigner((configured.logSignerKey || stored.logSignerKey)!) : null,
  };
}

/** `YEYAK_QUEUE_LOG`: `on` (the default: the queue writes its public log) or `off` (it keeps none, and says so). */
function queueLogKept(env: Env): boolean {
  const value = env.YEYAK_QUEUE_LOG ?? 'on';
  if (value !== 'on' && value !== 'off') throw new ConfigError(`YEYAK_QUEUE_LOG must be on or off, got "${value}"`);
  return value === 'on';
}
