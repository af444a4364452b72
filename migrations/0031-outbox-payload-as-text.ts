import { sql, type Kysely } from 'kysely';

/**
 * The outbox keeps an event's payload as `json` (its text), not `jsonb` (issue 21: a booking
 * writes what it must). Nothing queries inside a stored event but the fan-out's
 * `payload->>'campaignId'`, which `json` answers too; the payload is written once, read once and
 * copied into `outbox_jobs` (still `jsonb`, by the assignment cast). A two-dose
 * `booking.created` takes 213 bytes as `json` against 276 as `jsonb`: 63 bytes less WAL a booking.
 *
 * `create_booking` is unchanged: its `jsonb` event goes into the column by the assignment cast, so
 * nodes of either release write and fan out the same events. The column's type change rewrites
 * the table; the outbox is pruned (`YEYAK_OUTBOX_RETENTION_HOURS`), so it is small.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE outbox ALTER COLUMN payload TYPE json`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE outbox ALTER COLUMN payload TYPE jsonb`.execute(db);
}
