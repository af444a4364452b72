import { sql, type Transaction } from 'kysely';
import type { Db } from '../../infra/db/database.ts';
import type { DB } from '../../infra/db/schema.ts';
import { distanceExpr } from '../../infra/db/great-circle.ts';

type Trx = Transaction<DB>;

export interface LeftoverOfferRow {
  id: string;
  institution_id: string;
  name: string;
  address: string;
  lat: number;
  lng: number;
  vaccine: string;
  remaining: number;
  distance_km: number;
}

/** Today's offers with a dose left within `radiusKm` of a point, nearest first (bounding box first, on the (lat, lng) index). */
export async function offersNear(db: Db, date: string, near: { lat: number; lng: number; radiusKm: number }, limit: number): Promise<LeftoverOfferRow[]> {
  const { lat, lng, radiusKm } = near;
  const dLat = radiusKm / 111.32;
  const dLng = radiusKm / (111.32 * Math.max(0.01, Math.cos((lat * Math.PI) / 180)));
  const distance = distanceExpr(lat, lng);
  const result = await sql<LeftoverOfferRow>`
    SELECT f.id, f.institution_id, i.name, i.address, i.lat, i.lng, f.vaccine, f.doses - f.booked AS remaining, ${distance} AS distance_km
    FROM leftover_offers f JOIN institutions i ON i.id = f.institution_id
    WHERE f.date = ${date}::date AND f.booked < f.doses
      AND i.lat BETWEEN ${lat - dLat}::float8 AND ${lat + dLat}::float8
      AND i.lng BETWEEN ${lng - dLng}::float8 AND ${lng + dLng}::float8
      AND ${distance} <= ${radiusKm}::float8
    ORDER BY distance_km, f.id
    LIMIT ${limit}
  `.execute(db);
  return result.rows;
}

export async function isBarred(trx: Trx, personKey: string): Promise<boolean> {
  return (await trx.selectFrom('leftover_bars').select('person_key').where('person_key', '=', personKey).executeTakeFirst()) !== undefined;
}

export async function findOffer(db: Db, offerId: string, date: string) {
  return db.selectFrom('leftover_offers').select(['id', 'institution_id', 'vaccine', 'date']).where('id', '=', offerId).where('date', '=', date).executeTakeFirst();
}

/**
 * Takes one leftover dose: a conditional update, so concurrent takers serialise on the offer's row
 * and exactly `doses` of them get one. Returns false when none is left.
 */
export async function takeLeftoverDose(trx: Trx, offerId: string): Promise<boolean> {
  const row = await trx
    .updateTable('leftover_offers')
    .set((eb) => ({ booked: eb('booked', '+', 1) }))
    .where('id', '=', offerId)
    .where((eb) => eb('booked', '<', eb.ref('doses')))
    .returning('id')
    .executeTakeFirst();
  return row !== undefined;
}

/** Inserts the leftover booking; the unique (person, date) index refuses a second one the same day. */
export async function insertLeftoverBooking(trx: Trx, b: { id: string; offerId: string; personKey: string; date: string; at: Date }): Promise<void> {
  await trx.insertInto('leftover_bookings').values({ id: b.id, offer_id: b.offerId, person_key: b.personKey, date: b.date, created_at: b.at }).execute();
}

export async function leftoverBookingsOf(db: Db, personKey: string) {
  return db
    .selectFrom('leftover_bookings as l')
    .innerJoin('leftover_offers as f', 'f.id', 'l.offer_id')
    .innerJoin('institutions as i', 'i.id', 'f.institution_id')
    .select(['l.id', 'l.offer_id', 'f.institution_id', 'i.name', 'f.vaccine', 'l.date', 'l.status', 'l.created_at'])
    .where('l.person_key', '=', personKey)
    .orderBy('l.created_at', 'desc')
    .execute();
}

export async function alertClinicsOf(db: Db | Trx, personKey: string): Promise<string[]> {
  const rows = await db.selectFrom('leftover_alerts').select('institution_id').where('person_key', '=', personKey).orderBy('institution_id').execute();
  return rows.map((r) => r.institution_id);
}

/** Replaces a person's alert clinics (the caller has checked the limit and that the clinics exist). */
export async function replaceAlertClinics(trx: Trx, personKey: string, institutionIds: string[], at: Date): Promise<void> {
  await trx.deleteFrom('leftover_alerts').where('person_key', '=', personKey).execute();
  if (institutionIds.length === 0) return;
  await trx.insertInto('leftover_alerts').values(institutionIds.map((id) => ({ person_key: personKey, institution_id: id, created_at: at }))).execute();
}
