import { sql, type Kysely } from 'kysely';

/**
 * The booking's inserts no longer lock their parent rows. A foreign key makes PostgreSQL run
 * `SELECT … FOR KEY SHARE` on the referenced row for every inserted row: for `bookings.campaign_id`
 * that is the campaign's one row, share-locked by every booking in flight at once (a multixact,
 * written to the log), and for `booking_doses.booking_id` the booking the same statement has just
 * inserted. Neither check can fail: the booking function (migration 0013) inserts the booking only
 * after taking doses from the campaign's capacity rows (which keep their own keys to `campaigns`),
 * and inserts its doses in the same statement. Nothing deletes campaigns or bookings (a campaign is
 * closed, a booking cancelled), which the keys' ON DELETE rules were for.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE bookings DROP CONSTRAINT bookings_campaign_id_fkey`.execute(db);
  await sql`ALTER TABLE booking_doses DROP CONSTRAINT booking_doses_booking_id_fkey`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE bookings ADD CONSTRAINT bookings_campaign_id_fkey FOREIGN KEY (campaign_id) REFERENCES campaigns (id)`.execute(db);
  await sql`ALTER TABLE booking_doses ADD CONSTRAINT booking_doses_booking_id_fkey FOREIGN KEY (booking_id) REFERENCES bookings (id) ON DELETE CASCADE`.execute(db);
}
