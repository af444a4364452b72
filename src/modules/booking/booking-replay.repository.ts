import { sql, type Transaction } from 'kysely';
import type { Db } from '../../infra/db/database.ts';
import type { DB } from '../../infra/db/schema.ts';
import { timeFromMinutes } from '../../lib/seoul-time.ts';
import type { BookingRecord } from './bookings.repository.ts';
import { requestFingerprint, type RequestFingerprint, type StoredResponse } from './idempotency.ts';
import { YeyakError } from '../../errors.ts';

/**
 * What a campaign booking's request asks for: its fingerprint is what an Idempotency-Key is checked
 * against. The choice as its body came (the order of its keys matters to a hash kept before the
 * canonical one, `requestFingerprint`).
 */
export function bookingRequest(campaignId: string, choice: { institutionId: string; date: string; time: string }): RequestFingerprint {
  return requestFingerprint({ campaignId, ...choice });
}

/** The key of a campaign booking and what its request asked for (dose 1's clinic, date and minute). */
export interface KeyedBookingRequest {
  campaignId: string;
  personKey: string;
  key: string;
  request: RequestFingerprint;
  institutionId: string;
  date: string;
  minute: number;
}

/**
 * The stored answer of a booking made under this key, if any (422 if the key came with another
 * request): what `create_booking` answers a replay, asked outside it (`booking_answer_under_key`,
 * migration 0030) when a booking is refused before its statement, so a replay answers as the
 * first time did even once the window has closed.
 */
export async function findBookingAnswer(db: Db, k: KeyedBookingRequest): Promise<StoredResponse | null> {
  const { rows } = await sql<{ prior_hash: string | null; prior_status: number | null; prior_response: unknown }>`
    SELECT prior_hash, prior_status, prior_response FROM booking_answer_under_key(
      ${k.campaignId}, ${k.personKey}, ${k.key}, ${k.request.hash}, ${k.institutionId},
      ARRAY[${k.date}]::date[], ${k.minute}::smallint)`.execute(db);
  const prior = rows[0];
  if (!prior || prior.prior_hash === null || prior.prior_status === null) return null;
  if (!k.request.matches(prior.prior_hash)) throw new YeyakError('YEYAK_ERR_IDEMPOTENCY_MISMATCH');
  return { statusCode: prior.prior_status, body: prior.prior_response };
}

/**
 * Keeps a booking's first answer under its Idempotency-Key before a change rewrites its doses
 * (migration 0030): the booking no longer says what its first request was, so the answer and the
 * request's hash go where a replay looks first, as migration 0028 kept them. A booking changed
 * before keeps the first.
 */
export async function keepFirstAnswer(trx: Transaction<DB>, booking: BookingRecord): Promise<void> {
  const [first] = booking.doses;
  if (!booking.idempotencyKey || !first) return;
  const request = bookingRequest(booking.campaignId, { institutionId: first.institutionId, date: first.date, time: timeFromMinutes(first.minute) });
  const booked = { id: booking.id, code: booking.code, dates: booking.doses.map((d) => d.date), minutes: booking.doses.map((d) => d.minute) };
  await trx
    .insertInto('idempotency_keys')
    .values({ person_key: booking.personKey, key: booking.idempotencyKey, request_hash: request.hash, status_code: 201, response: JSON.stringify({ booked }), created_at: booking.createdAt })
    .onConflict((oc) => oc.columns(['person_key', 'key']).doNothing())
    .execute();
}
