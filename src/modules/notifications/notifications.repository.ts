import { sql } from 'kysely';
import type { Db } from '../../infra/db/database.ts';
import { addDays } from '../../lib/seoul-time.ts';

/** Who receives a message: the encrypted phone (decrypted only at send time), masked name, language. */
export interface Recipient {
  personKey: string;
  phoneEnc: string | null;
  maskedName: string;
  locale: 'ko' | 'en';
}

/** The recipients among `personKeys`, by person key (a person never written has none). */
export async function recipientsOf(db: Db, personKeys: readonly string[]): Promise<Map<string, Recipient>> {
  if (personKeys.length === 0) return new Map();
  const rows = await db.selectFrom('persons').select(['person_key', 'phone_enc', 'masked_name', 'locale']).where('person_key', 'in', [...new Set(personKeys)]).execute();
  return new Map(rows.map((r) => [r.person_key, { personKey: r.person_key, phoneEnc: r.phone_enc, maskedName: r.masked_name, locale: r.locale }]));
}

export interface BookingForMessage {
  id: string;
  code: string;
  status: 'booked' | 'cancelled';
  personKey: string;
  bookedBy: string | null;
  doses: { dose: number; date: string; minute: number; clinic: string }[];
}

/** Bookings as their messages describe them (code, status, who booked, each dose with its clinic's name), by id, in one statement. */
export async function bookingsForMessages(db: Db, bookingIds: readonly string[]): Promise<Map<string, BookingForMessage>> {
  const bookings = new Map<string, BookingForMessage>();
  if (bookingIds.length === 0) return bookings;
  const rows = await db
    .selectFrom('bookings as b')
    .leftJoin('booking_doses as d', 'd.booking_id', 'b.id')
    .leftJoin('institutions as i', 'i.id', 'd.institution_id')
    .select(['b.id', 'b.code', 'b.status', 'b.person_key', 'b.booked_by', 'd.dose', 'd.date', 'd.minute', 'i.name as clinic'])
    .where('b.id', 'in', [...new Set(bookingIds)])
    .orderBy('b.id')
    .orderBy('d.dose')
    .execute();
  for (const r of rows) {
    let booking = bookings.get(r.id);
    if (!booking) {
      booking = { id: r.id, code: r.code, status: r.status, personKey: r.person_key, bookedBy: r.booked_by, doses: [] };
      bookings.set(r.id, booking);
    }
    if (r.dose !== null && r.date !== null && r.minute !== null) booking.doses.push({ dose: r.dose, date: r.date, minute: r.minute, clinic: r.clinic ?? '' });
  }
  return bookings;
}

/** Clinics' names, by id. */
export async function clinicNames(db: Db, institutionIds: readonly string[]): Promise<Map<string, string>> {
  if (institutionIds.length === 0) return new Map();
  const rows = await db.selectFrom('institutions').select(['id', 'name']).where('id', 'in', [...new Set(institutionIds)]).execute();
  return new Map(rows.map((r) => [r.id, r.name]));
}

/** People who asked to hear about leftover doses at a clinic. */
export async function leftoverSubscribers(db: Db, institutionId: string): Promise<string[]> {
  const rows = await db.selectFrom('leftover_alerts').select('person_key').where('institution_id', '=', institutionId).execute();
  return rows.map((r) => r.person_key);
}

/**
 * Enqueues a reminder job for every live booking's dose on `today + 1` (Seoul). The key
 * `messages:reminder:<booking>:<dose>:<date>` is unique, so running this any number of times a day
 * schedules each reminder once; a booking moved to another date gets a reminder for the new date.
 * The probe's bookings (synthetic campaigns) are never reminded.
 */
export async function enqueueRemindersFor(db: Db, today: string, now: Date): Promise<number> {
  const tomorrow = addDays(today, 1);
  const result = await sql`
    INSERT INTO outbox_jobs (consumer, idempotency_key, topic, aggregate_id, payload, next_attempt_at, created_at)
    SELECT 'messages', 'messages:reminder:' || d.booking_id || ':' || d.dose || ':' || d.date, 'booking.reminder', d.booking_id::text,
           jsonb_build_object('bookingId', d.booking_id, 'dose', d.dose, 'date', d.date), ${now}::timestamptz, ${now}::timestamptz
    FROM booking_doses d JOIN bookings b ON b.id = d.booking_id JOIN campaigns c ON c.id = b.campaign_id
    WHERE d.date = ${tomorrow}::date AND b.status = 'booked' AND NOT c.synthetic
    ON CONFLICT (idempotency_key) DO NOTHING
  `.execute(db);
  return Number(result.numAffectedRows ?? 0);
}

export async function setLocale(db: Db, personKey: string, locale: 'ko' | 'en'): Promise<void> {
  await db.updateTable('persons').set({ locale }).where('person_key', '=', personKey).execute();
}
