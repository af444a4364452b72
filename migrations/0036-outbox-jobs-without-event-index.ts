import { sql, type Kysely } from 'kysely';

/**
 * `outbox_jobs_by_event` goes (issue 21: a booking writes what it must). It served the pruner of
 * the release before 0033, which deleted an event once its jobs were done and found them by the
 * event's number; since 0033 the fan-out deletes the event itself, and no statement of that
 * release or this one looks a job up by `outbox_id`. A rolling deploy runs this release beside the
 * one before it only, whose pruner deletes done jobs by age (`outbox_jobs_done_by_age`). Each
 * booking's two jobs wrote an entry of it at their fan-out and again at each update that was not
 * heap-only (their `done` always).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`DROP INDEX IF EXISTS outbox_jobs_by_event`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`CREATE INDEX IF NOT EXISTS outbox_jobs_by_event ON outbox_jobs (outbox_id) WHERE outbox_id IS NOT NULL`.execute(db);
}
