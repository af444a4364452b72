import type { Ctx } from '../../context.ts';
import { YeyakError } from '../../errors.ts';
import { inTransaction, isUniqueViolation } from '../../infra/db/transaction.ts';
import { idempotentRequest, newBookingId, type StoredResponse } from '../booking/index.ts';
import { formatSeoul, seoulDate } from '../../lib/seoul-time.ts';
import { type PersonRecord, recordOnFirstNeed } from '../identity/index.ts';
import { unknownInstitutionIds } from '../institutions/index.ts';
import { recordOutboxEvent } from '../outbox/index.ts';
import { alertClinicsOf, findOffer, insertLeftoverBooking, isBarred, leftoverBookingsOf, offersNear, replaceAlertClinics, takeLeftoverDose } from './leftover.repository.ts';

/** How many clinics a person may be alerted about (BRIEF §3, as in 2021). */
export const MAX_ALERT_CLINICS = 5;

/** Today's (Seoul) leftover doses near a point. */
export async function leftoversNear(ctx: Pick<Ctx, 'clock' | 'db'>, near: { lat: number; lng: number; radiusKm: number }, limit: number) {
  const date = seoulDate(ctx.clock.now());
  const rows = await offersNear(ctx.db, date, near, limit);
  return {
    date,
    items: rows.map((r) => ({ offerId: r.id, institutionId: r.institution_id, name: r.name, address: r.address, lat: r.lat, lng: r.lng, vaccine: r.vaccine, remaining: Number(r.remaining), distanceKm: Math.round(Number(r.distance_km) * 100) / 100 })),
  };
}

/**
 * Books one of today's leftover doses for the signed-in person themselves (no proxy): first come,
 * first served on the offer's row. Refused when barred by a no-show, already vaccinated with that
 * vaccine (local registry copy), or holding a leftover dose today. The confirmation and the
 * registry report go out through the outbox after the commit. With an Idempotency-Key (API.md) a
 * retry of a request that succeeded gets the same 201 and body, and the key used for another
 * request 422; only successes are stored, as for campaign bookings.
 */
export async function bookLeftover(ctx: Pick<Ctx, 'clock' | 'config' | 'crypto' | 'db' | 'registry'>, person: PersonRecord, offerId: string, idempotencyKey?: string): Promise<StoredResponse> {
  const now = ctx.clock.now();
  const date = seoulDate(now);
  const id = newBookingId(now);
  const idempotent = idempotentRequest(person.personKey, idempotencyKey, { leftoverOffer: offerId }, now);
  const replay = await idempotent.replay(ctx.db);
  if (replay) return replay;
  const offer = await findOffer(ctx.db, offerId, date);
  if (!offer) throw new YeyakError('YEYAK_ERR_LEFTOVER_NOT_FOUND');
  // Read before the transaction: the registry port reads through its own connection.
  if (await ctx.registry.completed(person.personKey, offer.vaccine, 1)) throw new YeyakError('YEYAK_ERR_NOT_ELIGIBLE', { details: { reason: 'ALREADY_VACCINATED' } });
  await recordOnFirstNeed(ctx, person);
  try {
    // The key first: a concurrent twin waits on it, then answers with what this one stored.
    return await inTransaction(ctx.db, (trx) =>
      idempotent.once(trx, async () => {
        if (await isBarred(trx, person.personKey)) throw new YeyakError('YEYAK_ERR_LEFTOVER_BARRED');
        // The booking row first: a second leftover today fails here, before the offer's row is locked.
        await insertLeftoverBooking(trx, { id, offerId, personKey: person.personKey, date, at: now });
        if (!(await takeLeftoverDose(trx, offerId))) throw new YeyakError('YEYAK_ERR_LEFTOVER_SOLD_OUT');
        await recordOutboxEvent(trx, 'leftover.booked', `leftover:${id}`, { leftoverBookingId: id, bookingId: id, personKey: person.personKey, clinicId: offer.institution_id, vaccine: offer.vaccine, date }, now);
        return {
          statusCode: 201,
          body: { leftoverBooking: { id, offerId, institutionId: offer.institution_id, vaccine: offer.vaccine, date, status: 'booked', createdAt: formatSeoul(now) } },
        };
      }),
    );
  } catch (error) {
    if (isUniqueViolation(error, 'leftover_bookings_one_per_day')) throw new YeyakError('YEYAK_ERR_LEFTOVER_ALREADY_BOOKED');
    throw error;
  }
}

export async function myLeftoverBookings(ctx: Pick<Ctx, 'db'>, person: PersonRecord) {
  const rows = await leftoverBookingsOf(ctx.db, person.personKey);
  return rows.map((r) => ({ id: r.id, offerId: r.offer_id, institutionId: r.institution_id, institutionName: r.name, vaccine: r.vaccine, date: r.date, status: r.status, createdAt: formatSeoul(r.created_at) }));
}

export async function alertClinics(ctx: Pick<Ctx, 'db'>, person: PersonRecord) {
  return { institutionIds: await alertClinicsOf(ctx.db, person.personKey) };
}

/** Replaces the clinics a person is alerted about (at most five, each one known). */
export async function setAlertClinics(ctx: Pick<Ctx, 'clock' | 'config' | 'crypto' | 'db'>, person: PersonRecord, institutionIds: string[]) {
  const wanted = [...new Set(institutionIds)];
  if (wanted.length > MAX_ALERT_CLINICS) throw new YeyakError('YEYAK_ERR_LEFTOVER_ALERTS_LIMIT', { details: { max: MAX_ALERT_CLINICS } });
  const unknown = await unknownInstitutionIds(ctx, wanted);
  if (unknown.length > 0) throw new YeyakError('YEYAK_ERR_INSTITUTION_NOT_FOUND', { details: { institutionIds: unknown } });
  await recordOnFirstNeed(ctx, person);
  await inTransaction(ctx.db, (trx) => replaceAlertClinics(trx, person.personKey, wanted, ctx.clock.now()));
  return { institutionIds: wanted.sort() };
}
