import { sql, type Kysely } from 'kysely';

/**
 * The queue writes its transparency log (issue 22, docs/transparency.md).
 * - `queue_log_cursors`: per campaign, the last store event (queue-events.ts) the sequencer stored
 *   in the log, so a sequencer that takes over (or restarts) never stores one twice. Written in
 *   the same statement as the entries.
 * - `queue_log_entries.subject`: the commitment a `place` or `enter` entry carries (base64), so a
 *   holder's receipt finds their entry without a scan.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`CREATE TABLE queue_log_cursors (
    campaign_id text PRIMARY KEY,
    epoch text NOT NULL,
    seq bigint NOT NULL CHECK (seq >= 0)
  )`.execute(db);
  await sql`ALTER TABLE queue_log_entries ADD COLUMN subject text`.execute(db);
  await sql`CREATE INDEX queue_log_entries_subject ON queue_log_entries (campaign_id, subject) WHERE subject IS NOT NULL`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP INDEX queue_log_entries_subject`.execute(db);
  await sql`ALTER TABLE queue_log_entries DROP COLUMN subject`.execute(db);
  await sql`DROP TABLE queue_log_cursors`.execute(db);
}
