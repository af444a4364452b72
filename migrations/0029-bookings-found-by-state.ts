import { sql, type Kysely } from 'kysely';

/**
 * One index entry fewer per booking (issue 21: a booking writes what it must). `bookings_by_person
 * (person_key, created_at)` served one read, a person's list of bookings, and every booking wrote
 * an entry into it. That list is read from the two partial indexes a booking's state already puts
 * it in, campaign by campaign (campaigns are few): live bookings from
 * `bookings_one_live_per_person (campaign_id, person_key) WHERE status = 'booked'`, cancelled ones
 * from `bookings_cancelled (campaign_id, person_key) WHERE status = 'cancelled'`, which replaces
 * `bookings_cancelled_by_campaign (campaign_id)` and still serves the statistics' count by its
 * prefix. A booking never enters the cancelled index; its cancellation already rewrites the row's
 * index entries (its status changes). `bookingsOfPersons` reads it so.
 * `IF [NOT] EXISTS`, so on a large live table the new index can be built `CONCURRENTLY` by hand
 * before the deploy.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`CREATE INDEX IF NOT EXISTS bookings_cancelled ON bookings (campaign_id, person_key) WHERE status = 'cancelled'`.execute(db);
  await sql`DROP INDEX IF EXISTS bookings_cancelled_by_campaign`.execute(db);
  await sql`DROP INDEX IF EXISTS bookings_by_person`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`CREATE INDEX IF NOT EXISTS bookings_by_person ON bookings (person_key, created_at)`.execute(db);
  await sql`CREATE INDEX IF NOT EXISTS bookings_cancelled_by_campaign ON bookings (campaign_id) WHERE status = 'cancelled'`.execute(db);
  await sql`DROP INDEX IF EXISTS bookings_cancelled`.execute(db);
}
