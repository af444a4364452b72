import { sql, type Kysely } from 'kysely';

/**
 * An outbox event leaves the table when it is fanned out (issue 21). Its jobs carry a copy of its
 * payload, so nothing read the event after that; marking it processed wrote a new version of the
 * row (its heap-only form was ruled out by `outbox_pending`'s predicate) and kept it until the
 * pruner could delete it with its last job. The foreign key from `outbox_jobs.outbox_id` goes:
 * its check ran a locking look-up of the event for every job inserted. `outbox_id` stays as the
 * event's number, and `outbox` now holds only events not fanned out yet.
 *
 * Events fanned out before this release are deleted here (their jobs hold their payloads). During a
 * rolling deploy, a node of the earlier release still marks the events it fans out as processed;
 * the pruner of this release deletes those (`pruneFannedOutEvents`), and the earlier release's
 * pruner still finds an event's jobs through `outbox_jobs_by_event`, which stays for it until the
 * release after this one.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE outbox_jobs DROP CONSTRAINT IF EXISTS outbox_jobs_outbox_id_fkey`.execute(db);
  await sql`DELETE FROM outbox WHERE processed_at IS NOT NULL`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  // Jobs of events deleted since keep their numbers: the key checks only rows written from now on.
  await sql`ALTER TABLE outbox_jobs ADD CONSTRAINT outbox_jobs_outbox_id_fkey FOREIGN KEY (outbox_id) REFERENCES outbox (id) NOT VALID`.execute(db);
}
