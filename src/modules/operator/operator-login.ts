import type { Ctx } from '../../context.ts';
import { YeyakError } from '../../errors.ts';
import { inTransaction } from '../../infra/db/transaction.ts';
import { recordAudit, type AuditActor } from './audit.ts';
import type { OperatorRole } from './operator-auth.ts';
import { clearFailedLogins, findOperatorByUsername, recordFailedLogin, type OperatorAccount } from './operators.repository.ts';
import { burnPasswordCheck, verifyPassword } from './passwords.ts';

/** Consecutive failures that lock an account, and for how long (OWASP Authentication Cheat Sheet). */
const MAX_FAILED_LOGINS = 5;
const LOCKOUT_MS = 15 * 60_000;

const NOBODY: AuditActor = { id: 'anonymous', role: 'none' };

export interface LoginResult {
  token: string;
  role: OperatorRole;
  expiresAt: Date;
}

/**
 * Unknown usernames lock like real ones, or a 429 after five tries would tell which usernames
 * exist. Kept in memory, bounded (oldest forgotten first): it only has to mirror the real lockout's
 * answers, and a username nobody has is nothing worth persisting.
 */
class UnknownUsernames {
  private readonly entries = new Map<string, { failures: number; lockedUntil: number }>();

  constructor(private readonly capacity = 10_000) {}

  lockedForMs(username: string, nowMs: number): number {
    const entry = this.entries.get(username);
    return entry ? Math.max(0, entry.lockedUntil - nowMs) : 0;
  }

  fail(username: string, nowMs: number): void {
    const entry = this.entries.get(username) ?? { failures: 0, lockedUntil: 0 };
    this.entries.delete(username);
    entry.failures += 1;
    if (entry.failures >= MAX_FAILED_LOGINS) Object.assign(entry, { failures: 0, lockedUntil: nowMs + LOCKOUT_MS });
    this.entries.set(username, entry);
    if (this.entries.size > this.capacity) this.entries.delete(this.entries.keys().next().value!);
  }
}

const unknownByCtx = new WeakMap<Pick<Ctx, 'db'>, UnknownUsernames>();

function lockedError(remainingMs: number): YeyakError {
  return new YeyakError('YEYAK_ERR_OPERATOR_LOCKED', { retryAfterSeconds: Math.ceil(remainingMs / 1000) });
}

/** Usernames are compared case-insensitively and stored in lower case. */
export function normaliseUsername(username: string): string {
  return username.trim().toLowerCase();
}

async function failUnknown(ctx: Pick<Ctx, 'db'>, username: string, password: string, now: Date): Promise<never> {
  let unknown = unknownByCtx.get(ctx);
  if (!unknown) unknownByCtx.set(ctx, (unknown = new UnknownUsernames()));
  const remaining = unknown.lockedForMs(username, now.getTime());
  if (remaining > 0) throw lockedError(remaining);
  await burnPasswordCheck(password);
  unknown.fail(username, now.getTime());
  // The attempted username is not recorded: people type passwords into the username field.
  await recordAudit(ctx.db, now, NOBODY, { action: 'operator.login.failed', details: { reason: 'unknown_user' } });
  throw new YeyakError('YEYAK_ERR_OPERATOR_LOGIN_FAILED');
}

async function failKnown(ctx: Pick<Ctx, 'db'>, account: OperatorAccount, now: Date): Promise<never> {
  const actor = { id: account.id, role: account.role };
  await inTransaction(ctx.db, async (trx) => {
    const counted = await recordFailedLogin(trx, account.id, now, MAX_FAILED_LOGINS, new Date(now.getTime() + LOCKOUT_MS));
    if (!counted) return;
    await recordAudit(trx, now, actor, { action: 'operator.login.failed', target: `operator:${account.id}`, details: { reason: 'wrong_password', failures: counted.failures } });
    if (counted.locked) await recordAudit(trx, now, actor, { action: 'operator.login.locked', target: `operator:${account.id}`, details: { minutes: LOCKOUT_MS / 60_000 } });
  });
  throw new YeyakError('YEYAK_ERR_OPERATOR_LOGIN_FAILED');
}

/**
 * Checks a username and password and issues a short-lived operator token. An unknown username
 * and a wrong password get the same 401 after the same hashing work; five failures in a row lock
 * the account for 15 minutes (429 with Retry-After), counted by the server clock.
 */
export async function logIn(ctx: Pick<Ctx, 'clock' | 'config' | 'db' | 'signer'>, rawUsername: string, password: string): Promise<LoginResult> {
  const now = ctx.clock.now();
  const username = normaliseUsername(rawUsername);
  const account = await findOperatorByUsername(ctx.db, username);
  if (!account) return failUnknown(ctx, username, password, now);
  // A locked account is refused before any hashing: locking is also what stops guessing.
  if (account.lockedUntil && account.lockedUntil > now) throw lockedError(account.lockedUntil.getTime() - now.getTime());
  if (!(await verifyPassword(account.passwordHash, password))) return failKnown(ctx, account, now);
  const cleared = await inTransaction(ctx.db, async (trx) => {
    if (!(await clearFailedLogins(trx, account.id, now))) return false;
    await recordAudit(trx, now, { id: account.id, role: account.role }, { action: 'operator.login.succeeded', target: `operator:${account.id}` });
    return true;
  });
  // Locked by concurrent failures while this password was being checked.
  if (!cleared) throw lockedError(LOCKOUT_MS);
  const ttl = ctx.config.operatorTokenTtlSeconds;
  const token = ctx.signer.sign('operator', account.id, now, ttl, { role: account.role, institutionId: account.institutionId });
  return { token, role: account.role, expiresAt: new Date(Math.floor(now.getTime() / 1000) * 1000 + ttl * 1000) };
}
