import { sql, type Transaction } from 'kysely';
import type { DB } from '../../infra/db/schema.ts';

/**
 * The conditional updates that take and give back doses. Each take is a conditional increment
 * (`… SET booked = booked + 1 WHERE booked < capacity`), so two transactions can never both take
 * the last dose; the CHECK constraints are the second line of defence. Functions take a
 * Transaction: a dose is only ever taken together with the booking that holds it.
 */

type Trx = Transaction<DB>;

export interface DosePlace {
  institutionId: string;
  date: string;
  minute: number;
}

/** The WHERE of one clinic-day's rows (in clinic_days, window_shares and capacity_slots alike). */
function clinicDayOf(campaignId: string, institutionId: string, date: string) {
  return sql`campaign_id = ${campaignId} AND institution_id = ${institutionId} AND date = ${date}::date`;
}

export interface DoseRequest {
  institutionId: string;
  date: string;
  /** The wanted half-hour, as minutes of the day. */
  minute: number;
  /** Only that half-hour (dose 1), or the nearest free one that day (later doses). */
  exact: boolean;
  /** The rotation window whose share of the clinic-day this dose also draws on, if any. */
  shareWindowId: string | null;
}

/**
 * Takes one dose in a single statement: the clinic-day projection, then the window's share (if
 * any), then the slot — each a conditional `booked + 1 … WHERE booked < limit`, each gated on the
 * previous one having succeeded. That order is the lock order every transaction follows (a
 * clinic-day row before its shares and slots), so concurrent bookings cannot deadlock. For a
 * later dose the slot is the free one nearest to the wanted time (ties go to the earlier time);
 * FOR UPDATE re-checks `booked < capacity` after waiting for a concurrent taker and moves on to
 * the next nearest slot if that one filled up meanwhile. Returns the slot's minute, or null when
 * anything was full — the caller then aborts, and the rollback undoes the partial increments.
 */
export async function takeDose(trx: Trx, campaignId: string, d: DoseRequest): Promise<number | null> {
  const clinicDay = clinicDayOf(campaignId, d.institutionId, d.date);
  const share =
    d.shareWindowId === null
      ? sql`SELECT 1`
      : sql`UPDATE window_shares SET booked = booked + 1
            WHERE ${clinicDay} AND window_id = ${d.shareWindowId} AND booked < share AND EXISTS (SELECT 1 FROM day)
            RETURNING 1`;
  const slotMinute = d.exact
    ? sql`${d.minute}::smallint`
    : sql`(SELECT minute FROM capacity_slots WHERE ${clinicDay} AND booked < capacity
           ORDER BY abs(minute - ${d.minute}::int), minute LIMIT 1 FOR UPDATE)`;
  const result = await sql<{ minute: number | null }>`
    WITH day AS (
      UPDATE clinic_days SET booked = booked + 1 WHERE ${clinicDay} AND booked < capacity RETURNING 1
    ), share AS (${share}), slot AS (
      UPDATE capacity_slots SET booked = booked + 1
      WHERE ${clinicDay} AND minute = ${slotMinute} AND booked < capacity
        AND EXISTS (SELECT 1 FROM day) AND EXISTS (SELECT 1 FROM share)
      RETURNING minute
    )
    SELECT (SELECT minute FROM slot) AS minute
  `.execute(trx);
  return result.rows[0]?.minute ?? null;
}

/**
 * Locks clinic-day rows in one global order (institution, date). Every transaction locks a
 * clinic-day before touching its slots or shares, and takes clinic-days in this order, so no two
 * transactions can wait on each other in a cycle.
 */
export async function lockClinicDays(trx: Trx, campaignId: string, days: { institutionId: string; date: string }[]): Promise<void> {
  if (days.length === 0) return;
  await sql`
    SELECT 1 FROM clinic_days
    WHERE campaign_id = ${campaignId} AND (institution_id, date) IN (${sql.join(days.map((d) => sql`(${d.institutionId}, ${d.date}::date)`))})
    ORDER BY institution_id, date
    FOR UPDATE
  `.execute(trx);
}

/**
 * Gives back one dose in a single statement, in the same lock order as `takeDose`: its clinic-day,
 * then (for a dose 1 booked in a rotation window) that window's share, then its slot.
 */
export async function releaseDose(trx: Trx, campaignId: string, p: DosePlace, shareWindowId: string | null): Promise<void> {
  const clinicDay = clinicDayOf(campaignId, p.institutionId, p.date);
  const share =
    shareWindowId === null
      ? sql`SELECT 1`
      : sql`UPDATE window_shares SET booked = booked - 1
            WHERE ${clinicDay} AND window_id = ${shareWindowId} AND booked > 0 AND EXISTS (SELECT 1 FROM day)
            RETURNING 1`;
  const result = await sql<{ minute: number | null }>`
    WITH day AS (
      UPDATE clinic_days SET booked = booked - 1 WHERE ${clinicDay} AND booked > 0 RETURNING 1
    ), share AS (${share}), slot AS (
      UPDATE capacity_slots SET booked = booked - 1
      WHERE ${clinicDay} AND minute = ${p.minute}::smallint AND booked > 0
        AND EXISTS (SELECT 1 FROM day) AND EXISTS (SELECT 1 FROM share)
      RETURNING minute
    )
    SELECT (SELECT minute FROM slot) AS minute
  `.execute(trx);
  // A booking holds its dose, so its day, share and slot must have it; anything else is a broken ledger.
  if (result.rows[0]?.minute == null) throw new Error('capacity ledger out of step: releasing a dose that is not booked');
}
