import { sql, type Kysely } from 'kysely';

/**
 * An outbox job keeps its payload as `json` (its text), as its event has since 0031 (issue 21: a
 * booking writes what it must). Nothing queries inside a job's payload: the consumers read it
 * whole. The fan-out copies the event's text as it is, where it used to convert it to `jsonb`: a
 * two-dose `booking.created` is 213 bytes a job against 276, and each booking makes two jobs.
 *
 * Nodes of either release write and read the same jobs: the reminders' `jsonb_build_object` and
 * an earlier release's fan-out go in by the assignment cast. The column's type change rewrites the
 * table; jobs are pruned after `YEYAK_OUTBOX_RETENTION_HOURS`, so it holds a few days of work.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE outbox_jobs ALTER COLUMN payload TYPE json`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE outbox_jobs ALTER COLUMN payload TYPE jsonb`.execute(db);
}
