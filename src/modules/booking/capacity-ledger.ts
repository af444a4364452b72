import { sql, type Transaction } from 'kysely';
import type { DB } from '../../infra/db/schema.ts';

/**
 * Taking and giving back doses, for a change and a cancellation, through the one dose ledger in
 * the database (`take_dose`, `release_dose`: migrations/0025-one-dose-ledger.ts); a new booking's
 * `create_booking` holds `take_dose`'s text inline. Each take is a conditional increment (`… SET booked =
 * booked + 1 WHERE booked < capacity`), so two transactions can never both take the last dose;
 * the CHECK constraints are the second line of defence. Functions take a Transaction: a dose is
 * only ever taken together with the booking that holds it.
 */

type Trx = Transaction<DB>;

export interface DosePlace {
  institutionId: string;
  date: string;
  minute: number;
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
 * Takes one dose with the ledger's one implementation, the function `take_dose` of migration
 * 0025 (whose text `create_booking` holds inline): the clinic-day projection, then the window's share (if
 * any), then the slot, each a conditional `booked + 1 … WHERE booked < limit` gated on the one
 * before — the lock order every transaction follows, so concurrent bookings cannot deadlock. The
 * slot is the wanted one exactly, or for a later dose the free one nearest to it (ties to the
 * earlier). Returns the slot's minute, or null when anything was full — the caller then aborts,
 * and the rollback undoes the partial increments.
 */
export async function takeDose(trx: Trx, campaignId: string, d: DoseRequest): Promise<number | null> {
  const result = await sql<{ minute: number | null }>`
    SELECT take_dose(${campaignId}, ${d.institutionId}, ${d.date}::date, ${d.minute}::smallint, ${d.exact}, ${d.shareWindowId}::text) AS minute
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
 * Gives back one dose with `release_dose` (migration 0025), in the same lock order as `takeDose`:
 * its clinic-day, then (for a dose 1 booked in a rotation window) that window's share, then its slot.
 */
export async function releaseDose(trx: Trx, campaignId: string, p: DosePlace, shareWindowId: string | null): Promise<void> {
  const result = await sql<{ released: boolean }>`
    SELECT release_dose(${campaignId}, ${p.institutionId}, ${p.date}::date, ${p.minute}::smallint, ${shareWindowId}::text) AS released
  `.execute(trx);
  // A booking holds its dose, so its day, share and slot must have it; anything else is a broken ledger.
  if (result.rows[0]?.released !== true) throw new Error('capacity ledger out of step: releasing a dose that is not booked');
}
