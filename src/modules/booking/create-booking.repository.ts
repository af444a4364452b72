import { sql } from 'kysely';
import type { Db } from '../../infra/db/database.ts';
import { pgConstraint, pgErrorCode, retryAborted } from '../../infra/db/transaction.ts';
import { personRecordStatementPart, type VerifiedPersonRow } from '../identity/index.ts';
import type { BookingRecord } from './bookings.repository.ts';

/** Everything the booking statement writes, rendered by the caller: the booking's own fields, and more. */
export interface NewBooking extends Pick<BookingRecord, 'id' | 'code' | 'campaignId' | 'personKey' | 'windowId' | 'shareWindowId'> {
  bookedBy: string | null;
  at: Date;
  /** The campaign's vaccine: the registry's local copy is asked again inside the transaction. */
  vaccine: { name: string; doses: number };
  institutionId: string;
  /** Each dose's date, dose 1 first (ascending: the lock order). */
  dates: string[];
  /** The wanted half-hour (minutes of the day): dose 1's exactly, later doses' if free. */
  minute: number;
  /** The `booking.created` payload (`{campaignId, doses}`; the booking is the event's aggregate) as for the wanted time; `doses[i].minute` is set where a dose moved. */
  event: unknown;
  /** With an Idempotency-Key: the key and its request hash (the booking's row keeps the key, migration 0030). */
  idempotency: { key: string; requestHash: string } | null;
  /** The person's record when their session's seal carries it: written with the booking if they have none yet (or an older one). */
  personRecord: VerifiedPersonRow | null;
}

export type NewBookingOutcome =
  | { kind: 'booked'; minutes: number[] }
  | { kind: 'replay'; requestHash: string; statusCode: number; body: unknown }
  | { kind: 'sold-out'; dose: number; date: string }
  | { kind: 'vaccinated' }
  | { kind: 'already-booked' }
  | { kind: 'code-taken' };

interface Row {
  taken_minutes: number[] | null;
  prior_hash: string | null;
  prior_status: number | null;
  prior_response: unknown;
}

/** The refusals `create_booking` raises (migration 0013, as 0030 last replaced it), each rolling the whole booking back. */
const SOLD_OUT = 'YKS01';
const VACCINATED = 'YKV01';

function refusalOf(error: unknown): NewBookingOutcome | null {
  switch (pgErrorCode(error)) {
    case SOLD_OUT: {
      const { dose, date } = JSON.parse((error as { detail: string }).detail) as { dose: number; date: string };
      return { kind: 'sold-out', dose, date };
    }
    case VACCINATED:
      return { kind: 'vaccinated' };
    case '23505': {
      // A unique violation names its constraint (PGlite's error may only say it in the message).
      const name = pgConstraint(error) ?? String(error);
      if (name.includes('bookings_one_live_per_person')) return { kind: 'already-booked' };
      if (name.includes('bookings_code_key')) return { kind: 'code-taken' };
      return null;
    }
    default:
      return null;
  }
}

/**
 * The whole booking transaction as one statement: `create_booking` (migration 0013, as 0030 last replaced it)
 * locks the Idempotency-Key and reads its answer (a kept row, or the booking made under it),
 * re-checks the registry, inserts the booking with its key, takes every dose with conditional
 * updates, writes the doses and the outbox event, and the person is recorded if this is their first need of a record (a
 * signed-in person has none until then, migration 0021) — or it raises, and the
 * statement rolls back whole. One round trip; as a single statement it is its own transaction and
 * has committed when this returns. A deadlock victim is run again.
 */
export async function insertBookingWithDoses(db: Db, b: NewBooking): Promise<NewBookingOutcome> {
  const key = b.idempotency;
  // Always the same text (every value is a parameter), so it is prepared once per connection.
  // The person's record is a data-modifying part of the same statement: committed with the booking, or not at all.
  const statement = sql<Row>`/* prepared: create_booking */
    WITH recorded AS (${personRecordStatementPart(b.personRecord)})
    SELECT taken_minutes, prior_hash, prior_status, prior_response FROM create_booking(
      ${b.id}::uuid, ${b.code}, ${b.campaignId}, ${b.personKey}, ${b.windowId}, ${b.shareWindowId}::text,
      ${b.bookedBy}::text, ${b.at}::timestamptz, ${b.vaccine.name}, ${b.vaccine.doses}::smallint,
      ${b.institutionId}, string_to_array(${b.dates.join(',')}, ',')::date[], ${b.minute}::smallint,
      ${JSON.stringify(b.event)}::jsonb, ${key?.key ?? null}::text, ${key?.requestHash ?? null}::text, NULL::jsonb
    )`;
  try {
    const row = (await retryAborted(() => statement.execute(db))).rows[0];
    if (!row) throw new Error('create_booking returned no row');
    if (row.taken_minutes) return { kind: 'booked', minutes: row.taken_minutes.map(Number) };
    if (row.prior_hash === null || row.prior_status === null) throw new Error('idempotency key vanished after a conflict');
    return { kind: 'replay', requestHash: row.prior_hash, statusCode: row.prior_status, body: row.prior_response };
  } catch (error) {
    const refusal = refusalOf(error);
    if (refusal) return refusal;
    throw error;
  }
}
