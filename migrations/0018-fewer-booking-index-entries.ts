import { sql, type Kysely } from 'kysely';

/**
 * Fewer index entries per booking. Every booking inserted an entry into `bookings (campaign_id,
 * status)` — read only by the operator's statistics — and two per dose into `booking_doses`: one
 * by clinic and day, one by day alone.
 * - The statistics count live bookings from `bookings_one_live_per_person` (its `campaign_id`
 *   prefix) and cancelled ones from a partial index of cancelled bookings, which a booking never
 *   enters (a cancellation already rewrites the row's index entries: its status changes).
 * - One index `(date, institution_id, minute)` serves both the clinic's list of a day (date and
 *   clinic, by time) and the day-before reminders (date alone).
 * `IF [NOT] EXISTS`, so on a large live table the new indexes can be built `CONCURRENTLY` by hand
 * before the deploy.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`CREATE INDEX IF NOT EXISTS bookings_cancelled_by_campaign ON bookings (campaign_id) WHERE status = 'cancelled'`.execute(db);
  await sql`DROP INDEX IF EXISTS bookings_by_campaign_status`.execute(db);
  await sql`CREATE INDEX IF NOT EXISTS booking_doses_by_day_clinic ON booking_doses (date, institution_id, minute)`.execute(db);
  await sql`DROP INDEX IF EXISTS booking_doses_by_clinic_day`.execute(db);
  await sql`DROP INDEX IF EXISTS booking_doses_by_date`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`CREATE INDEX IF NOT EXISTS booking_doses_by_date ON booking_doses (date)`.execute(db);
  await sql`CREATE INDEX IF NOT EXISTS booking_doses_by_clinic_day ON booking_doses (institution_id, date, minute)`.execute(db);
  await sql`DROP INDEX IF EXISTS booking_doses_by_day_clinic`.execute(db);
  await sql`CREATE INDEX IF NOT EXISTS bookings_by_campaign_status ON bookings (campaign_id, status)`.execute(db);
  await sql`DROP INDEX IF EXISTS bookings_cancelled_by_campaign`.execute(db);
}
