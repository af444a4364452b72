import type { Transaction } from 'kysely';
import type { Db } from './database.ts';
import type { DB } from './schema.ts';

/** PostgreSQL SQLSTATEs that mean "run the transaction again": serialization failure, deadlock. */
const RETRYABLE = new Set(['40001', '40P01']);

export function pgErrorCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** The name of the constraint a PostgreSQL error names, when there is one. */
export function pgConstraint(error: unknown): string | undefined {
  const constraint = (error as { constraint?: unknown } | null)?.constraint;
  return typeof constraint === 'string' ? constraint : undefined;
}

export function isUniqueViolation(error: unknown, constraint?: string): boolean {
  if (pgErrorCode(error) !== '23505') return false;
  return constraint === undefined || pgConstraint(error) === constraint || String(error).includes(constraint);
}

/**
 * Runs `work` again (up to `attempts` times in all) when PostgreSQL aborted it as a deadlock victim
 * or serialization failure — a transaction (or a single statement, its own transaction) aborted so
 * rolls back whole, so running it again is safe.
 */
export async function retryAborted<T>(work: () => Promise<T>, attempts = 4): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await work();
    } catch (error) {
      if (attempt >= attempts || !RETRYABLE.has(pgErrorCode(error) ?? '')) throw error;
    }
  }
}

/** Runs `work` in one transaction, again if it was aborted for deadlock or serialization failure. */
export async function inTransaction<T>(db: Db, work: (trx: Transaction<DB>) => Promise<T>, attempts = 4): Promise<T> {
  return retryAborted(() => db.transaction().execute(work), attempts);
}
