import { sql, type Kysely } from 'kysely';

/**
 * A campaign's clinic-days by date: a search for one date across a province or a radius starts
 * from that date's clinic-days with a dose left (`institutionPage`), instead of probing every
 * clinic of the province once the date has sold out. `booked` is not in the index, so a booking's
 * `booked = booked + 1` stays a heap-only update (migration 0015).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`CREATE INDEX IF NOT EXISTS clinic_days_by_date ON clinic_days (campaign_id, date)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP INDEX IF EXISTS clinic_days_by_date`.execute(db);
}
