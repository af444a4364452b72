import { sql, type Transaction } from 'kysely';
import type { Db } from '../../infra/db/database.ts';
import type { DB } from '../../infra/db/schema.ts';

type Trx = Transaction<DB>;

/** One line of a clinic's day: a booked dose or a leftover booking, with its outcome if recorded. */
export interface AppointmentRow {
  kind: 'booking' | 'leftover';
  bookingId: string;
  dose: number | null;
  code: string | null;
  campaignId: string | null;
  vaccine: string;
  minute: number | null;
  maskedName: string;
  birthYear: string;
  status: 'booked' | 'cancelled' | 'given' | 'no_show';
}

/**
 * The day's list of a clinic: live booked doses there that day (by time) and the day's leftover
 * bookings. Served by `booking_doses_by_day_clinic`; names are the masked ones, never decrypted.
 */
export async function appointmentsOf(db: Db, institutionId: string, date: string): Promise<AppointmentRow[]> {
  const doses = await db
    .selectFrom('booking_doses as d')
    .innerJoin('bookings as b', 'b.id', 'd.booking_id')
    .innerJoin('campaigns as c', 'c.id', 'b.campaign_id')
    .innerJoin('persons as p', 'p.person_key', 'b.person_key')
    .leftJoin('dose_outcomes as o', (join) => join.onRef('o.booking_id', '=', 'd.booking_id').onRef('o.dose', '=', 'd.dose'))
    .select(['b.id', 'd.dose', 'b.code', 'b.campaign_id', 'c.vaccine_name', 'd.minute', 'p.masked_name', 'p.birth_date', 'b.status', 'o.outcome'])
    .where('d.institution_id', '=', institutionId)
    .where('d.date', '=', date)
    .orderBy('d.minute')
    .orderBy('b.code')
    .execute();
  const leftovers = await db
    .selectFrom('leftover_bookings as l')
    .innerJoin('leftover_offers as f', 'f.id', 'l.offer_id')
    .innerJoin('persons as p', 'p.person_key', 'l.person_key')
    .select(['l.id', 'f.vaccine', 'p.masked_name', 'p.birth_date', 'l.status', 'l.created_at'])
    .where('f.institution_id', '=', institutionId)
    .where('f.date', '=', date)
    .orderBy('l.created_at')
    .execute();
  return [
    ...doses.map((d): AppointmentRow => ({
      kind: 'booking',
      bookingId: d.id,
      dose: d.dose,
      code: d.code,
      campaignId: d.campaign_id,
      vaccine: d.vaccine_name,
      minute: d.minute,
      maskedName: d.masked_name,
      birthYear: d.birth_date.slice(0, 4),
      status: d.outcome ?? d.status,
    })),
    ...leftovers.map((l): AppointmentRow => ({
      kind: 'leftover',
      bookingId: l.id,
      dose: null,
      code: null,
      campaignId: null,
      vaccine: l.vaccine,
      minute: null,
      maskedName: l.masked_name,
      birthYear: l.birth_date.slice(0, 4),
      status: l.status,
    })),
  ];
}

/** A booked dose at a clinic, its booking locked (so two recordings of one dose serialise). */
export async function lockBookedDose(trx: Trx, bookingId: string, dose: number, institutionId: string) {
  return trx
    .selectFrom('booking_doses as d')
    .innerJoin('bookings as b', 'b.id', 'd.booking_id')
    .innerJoin('campaigns as c', 'c.id', 'b.campaign_id')
    .select(['b.id', 'b.status', 'b.person_key', 'c.vaccine_name', 'd.date', 'd.dose'])
    .where('d.booking_id', '=', bookingId)
    .where('d.dose', '=', dose)
    .where('d.institution_id', '=', institutionId)
    .forUpdate('b')
    .executeTakeFirst();
}

/** Records a dose's outcome once; false if one was already recorded. */
export async function insertDoseOutcome(trx: Trx, bookingId: string, dose: number, outcome: 'given' | 'no_show', at: Date, by: string): Promise<boolean> {
  const result = await trx
    .insertInto('dose_outcomes')
    .values({ booking_id: bookingId, dose, outcome, recorded_at: at, recorded_by: by })
    .onConflict((oc) => oc.columns(['booking_id', 'dose']).doNothing())
    .executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0) === 1;
}

/** A leftover booking at a clinic, locked. */
export async function lockLeftoverBooking(trx: Trx, id: string, institutionId: string) {
  return trx
    .selectFrom('leftover_bookings as l')
    .innerJoin('leftover_offers as f', 'f.id', 'l.offer_id')
    .select(['l.id', 'l.status', 'l.person_key', 'l.date', 'f.vaccine'])
    .where('l.id', '=', id)
    .where('f.institution_id', '=', institutionId)
    .forUpdate('l')
    .executeTakeFirst();
}

export async function setLeftoverOutcome(trx: Trx, id: string, outcome: 'given' | 'no_show', at: Date, by: string): Promise<void> {
  await trx.updateTable('leftover_bookings').set({ status: outcome, recorded_at: at, recorded_by: by }).where('id', '=', id).execute();
}

/** The next dose number of a vaccine for a person, from the local registry copy (leftovers have no dose plan). */
export async function nextDoseNumber(trx: Trx, personKey: string, vaccine: string): Promise<number> {
  const row = await trx.selectFrom('vaccination_records').select((eb) => eb.fn.max('dose').as('max')).where('person_key', '=', personKey).where('vaccine', '=', vaccine).executeTakeFirst();
  return Number(row?.max ?? 0) + 1;
}

/** Keeps the local registry copy in step at once (the registry itself hears through the outbox). */
export async function recordVaccination(trx: Trx, personKey: string, vaccine: string, dose: number, date: string): Promise<void> {
  await trx
    .insertInto('vaccination_records')
    .values({ person_key: personKey, vaccine, dose, administered_on: date })
    .onConflict((oc) => oc.columns(['person_key', 'vaccine', 'dose']).doNothing())
    .execute();
}

/** Bars a person from leftover booking (a no-show without cancelling). */
export async function barFromLeftovers(trx: Trx, personKey: string, reason: string, at: Date): Promise<void> {
  await trx.insertInto('leftover_bars').values({ person_key: personKey, reason, barred_at: at }).onConflict((oc) => oc.column('person_key').doNothing()).execute();
}

export async function upsertClinicStock(trx: Trx, institutionId: string, vaccine: string, doses: number, at: Date): Promise<void> {
  await trx
    .insertInto('clinic_stock')
    .values({ institution_id: institutionId, vaccine, doses, source: 'clinic', reported_at: at })
    .onConflict((oc) => oc.columns(['institution_id', 'vaccine']).doUpdateSet({ doses, source: 'clinic', reported_at: at }))
    .execute();
}

export async function stockOf(db: Db, institutionId: string) {
  return db.selectFrom('clinic_stock').select(['vaccine', 'doses', 'source', 'reported_at']).where('institution_id', '=', institutionId).orderBy('vaccine').execute();
}

/**
 * Sets today's leftover doses of a vaccine at a clinic: never below what is already booked (the
 * CHECK would refuse it too). Returns the offer, or null when `doses` is below the booked count.
 */
export async function publishLeftoverOffer(trx: Trx, offer: { id: string; institutionId: string; date: string; vaccine: string; doses: number; at: Date }) {
  const result = await sql<{ id: string; doses: number; booked: number }>`
    INSERT INTO leftover_offers (id, institution_id, date, vaccine, doses, published_at)
    VALUES (${offer.id}::uuid, ${offer.institutionId}, ${offer.date}::date, ${offer.vaccine}, ${offer.doses}, ${offer.at}::timestamptz)
    ON CONFLICT (institution_id, date, vaccine) DO UPDATE SET doses = excluded.doses, published_at = excluded.published_at
      WHERE leftover_offers.booked <= excluded.doses
    RETURNING id, doses, booked
  `.execute(trx);
  return result.rows[0] ?? null;
}
