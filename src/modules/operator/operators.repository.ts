import { sql, type Transaction } from 'kysely';
import type { Db } from '../../infra/db/database.ts';
import type { DB } from '../../infra/db/schema.ts';
import type { OperatorRole } from './operator-auth.ts';

type Trx = Transaction<DB>;

export interface OperatorAccount {
  id: string;
  username: string;
  passwordHash: string;
  role: OperatorRole;
  institutionId: string | null;
  lockedUntil: Date | null;
}

export async function findOperatorByUsername(db: Db, username: string): Promise<OperatorAccount | undefined> {
  const row = await db.selectFrom('operators').selectAll().where('username', '=', username).executeTakeFirst();
  return (
    row && { id: row.id, username: row.username, passwordHash: row.password_hash, role: row.role, institutionId: row.institution_id, lockedUntil: row.locked_until }
  );
}

export async function insertOperator(trx: Trx, account: Omit<OperatorAccount, 'lockedUntil'>, at: Date): Promise<void> {
  await trx
    .insertInto('operators')
    .values({ id: account.id, username: account.username, password_hash: account.passwordHash, role: account.role, institution_id: account.institutionId, created_at: at })
    .execute();
}

/** `locked_until` in the past or absent: the account may try to log in at `now`. */
const notLockedAt = (now: Date) => sql<boolean>`(locked_until IS NULL OR locked_until <= ${now}::timestamptz)`;

/**
 * Counts one failed login in a single conditional statement, so concurrent failures are counted
 * exactly: the `maxFailures`-th locks the account until `lockUntil` and restarts the count. A
 * failure that lands while the account is locked changes nothing (returns null), so hammering a
 * locked account cannot lengthen its lock.
 */
export async function recordFailedLogin(trx: Trx, id: string, now: Date, maxFailures: number, lockUntil: Date): Promise<{ failures: number; locked: boolean } | null> {
  const result = await sql<{ failed_logins: number; locked: boolean }>`
    UPDATE operators SET
      failed_logins = CASE WHEN failed_logins + 1 >= ${maxFailures}::int THEN 0 ELSE failed_logins + 1 END,
      locked_until = CASE WHEN failed_logins + 1 >= ${maxFailures}::int THEN ${lockUntil}::timestamptz ELSE NULL END
    WHERE id = ${id}::uuid AND ${notLockedAt(now)}
    RETURNING failed_logins, (locked_until IS NOT NULL) AS locked`.execute(trx);
  const row = result.rows[0];
  if (!row) return null;
  return { failures: row.locked ? maxFailures : row.failed_logins, locked: row.locked };
}

/**
 * A successful login clears the failure count — unless a concurrent failure locked the account
 * meanwhile (then false, and the login is refused as locked).
 */
export async function clearFailedLogins(trx: Trx, id: string, now: Date): Promise<boolean> {
  const result = await sql`UPDATE operators SET failed_logins = 0, locked_until = NULL WHERE id = ${id}::uuid AND ${notLockedAt(now)} RETURNING id`.execute(trx);
  return result.rows.length > 0;
}

export async function institutionExists(db: Db, id: string): Promise<boolean> {
  return (await db.selectFrom('institutions').select('id').where('id', '=', id).executeTakeFirst()) !== undefined;
}
