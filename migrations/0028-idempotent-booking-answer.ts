import { sql, type Kysely } from 'kysely';
import { CREATE_BOOKING_0025 } from './0025-one-dose-ledger.ts';

/**
 * The answer a booking keeps under its Idempotency-Key is what the request cannot say (issue 21:
 * a booking writes what it must): `{"booked": {id, code, dates, minutes}}`, about 110 bytes of
 * JSONB, instead of the whole 201 body (about 450). A replay renders the body again from it and
 * from the request, which the key's request hash proves the same (`replayedBookingBody`,
 * `src/modules/booking/booking.view.ts`): the campaign and clinic come from the request, the
 * person's masked name from the session, the status is the first answer's (`booked`).
 *
 * `create_booking` writes it when it is called without a rendered answer (`p_response` null, as
 * every node from this migration on calls it), and stores a rendered one as before. Old nodes
 * (before 0028) still render and store the whole body during a rolling deploy; new nodes read both
 * forms. An old node replaying a key a new node stored would answer the stored form as it is, so a
 * rolling deploy across this migration drains the old nodes' booking traffic first.
 *
 * It is `CREATE OR REPLACE FUNCTION create_booking` as 0025 wrote it, with one change: the value
 * stored in `idempotency_keys.response`.
 */
const STORED_RENDERED = 'VALUES (p_person_key, p_idempotency_key, p_request_hash, 201, v_response, p_at);';
/** The answer 0028 keeps under the key (0030 takes the whole insert out again). */
export const STORED_OR_COMPACT = `VALUES (p_person_key, p_idempotency_key, p_request_hash, 201,
              coalesce(v_response, jsonb_build_object('booked', jsonb_build_object(
                'id', p_booking_id, 'code', p_code, 'dates', to_jsonb(p_dates), 'minutes', to_jsonb(v_minutes)))),
              p_at);`;

/** `create_booking` as this migration writes it (0030's `down` restores it). */
export function createBooking0028(): string {
  if (!CREATE_BOOKING_0025.includes(STORED_RENDERED)) throw new Error('0028: the idempotency insert of create_booking 0025 is not where it was');
  return CREATE_BOOKING_0025.replace(STORED_RENDERED, STORED_OR_COMPACT);
}

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql.raw(createBooking0028()).execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql.raw(CREATE_BOOKING_0025).execute(db);
}
