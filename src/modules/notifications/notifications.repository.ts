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

export async function recipientOf(db: Db, personKey: string): Promise<Recipient | undefined> {
  const row = await db.selectFrom('persons').select(['person_key', 'phone_enc', 'masked_name', 'locale']).where('person_key', '=', personKey).executeTakeFirst();
  return row && { personKey: row.person_key, phoneEnc: row.phone_enc, maskedName: row.masked_name, locale: row.locale };
}

export interface BookingForMessage {
  id: string;
  code: string;
  status: 'booked' | 'cancelled';
  personKey: string;
  bookedBy: string | null;
  doses: { dose: number; date: string; minute: number; clinic: string }[];
}

/** A booking as its messages describe it: code, status, who booked, each dose with its clinic's name. */
export async function bookingForMessage(db: Db, bookingId: string): Promise<BookingForMessage | undefined> {
  const booking = await db.selectFrom('bookings').select(['id', 'code', 'status', 'person_key', 'booked_by']).where('id', '=', bookingId).executeTakeFirst();
  if (!booking) return undefined;
  const doses = await db
    .selectFrom('booking_doses as d')
    .innerJoin('institutions as i', 'i.id', 'd.institution_id')
    .select(['d.dose', 'd.date', 'd.minute', 'i.name as clinic'])
    .where('d.booking_id', '=', bookingId)
    .orderBy('d.dose')
    .execute();
  return { id: booking.id, code: booking.code, status: booking.status, personKey: booking.person_key, bookedBy: booking.booked_by, doses };
}

export async function clinicName(db: Db, institutionId: string): Promise<string | undefined> {
  return (await db.selectFrom('institutions').select('name').where('id', '=', institutionId).executeTakeFirst())?.name;
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
