import { randomBytes } from 'node:crypto';
import { hash, verify, type Algorithm, type Options } from '@node-rs/argon2';

// `Algorithm` is an ambient const enum, which `verbatimModuleSyntax` cannot read: 2 is Argon2id.
const ARGON2ID: Algorithm = 2;

/**
 * OWASP Password Storage Cheat Sheet, argon2id row: m=19 MiB, t=2, p=1. The work runs on libuv's
 * thread pool (N-API), so a login never blocks the event loop that serves bookings.
 */
const PASSWORD_HASH_OPTIONS: Options = { algorithm: ARGON2ID, memoryCost: 19_456, timeCost: 2, parallelism: 1 };

/** A PHC string (`$argon2id$v=19$m=19456,t=2,p=1$…`) with a fresh random salt. */
export function hashPassword(password: string): Promise<string> {
  return hash(password, PASSWORD_HASH_OPTIONS);
}

/** True when `password` matches `phc`; a malformed stored hash is a mismatch, never a crash. */
export async function verifyPassword(phc: string, password: string): Promise<boolean> {
  try {
    return await verify(phc, password);
  } catch {
    return false;
  }
}

let dummy: Promise<string> | null = null;

/** Computes the stand-in hash for unknown usernames ahead of the first login, so none pays twice. */
export function prepareDummyHash(): void {
  dummy ??= hashPassword(randomBytes(16).toString('base64'));
  // A failure surfaces where the hash is awaited (`burnPasswordCheck`), not as an unhandled rejection.
  dummy.catch(() => undefined);
}

/**
 * Spends the same hashing time as a real check, for usernames that do not exist: the answer and
 * its timing must not tell an unknown user from a wrong password.
 */
export async function burnPasswordCheck(password: string): Promise<false> {
  prepareDummyHash();
  await verifyPassword(await dummy!, password);
  return false;
}
