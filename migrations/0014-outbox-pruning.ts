import { sql, type Kysely } from 'kysely';

/**
 * Indexes for pruning finished outbox work (src/modules/outbox/outbox-pruner.ts):
 *
 * - `outbox_jobs_done_by_age`: the pruner takes `done` jobs oldest first, 5,000 at a time, resuming
 *   after the last one it deleted. Without it each batch would scan the done rows from the start of
 *   the table. Partial on `status = 'done'`, so the claim path's pending rows never enter it.
 * - `outbox_jobs_by_event`: `outbox_jobs.outbox_id` references `outbox`; deleting an event makes
 *   PostgreSQL look for jobs still pointing at it, and the pruner asks the same question. Without an
 *   index on the referencing column that lookup is a scan of every job, once per deleted event.
 *   Partial: derived jobs (reminders, leftover alerts) carry no event.
 *
 * `IF NOT EXISTS` lets an operator build both with `CREATE INDEX CONCURRENTLY` on a large live table
 * before deploying (a migration runs in a transaction, where CONCURRENTLY is refused).
 */
const UP = [
  `CREATE INDEX IF NOT EXISTS outbox_jobs_done_by_age ON outbox_jobs (done_at, id) WHERE status = 'done'`,
  `CREATE INDEX IF NOT EXISTS outbox_jobs_by_event ON outbox_jobs (outbox_id) WHERE outbox_id IS NOT NULL`,
];

const DOWN = ['DROP INDEX IF EXISTS outbox_jobs_by_event', 'DROP INDEX IF EXISTS outbox_jobs_done_by_age'];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of UP) await sql.raw(statement).execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const statement of DOWN) await sql.raw(statement).execute(db);
}
