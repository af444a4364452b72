import { sql, type Transaction } from 'kysely';
import type { DB } from '../../infra/db/schema.ts';

/**
 * The conditional updates that take and give back doses. Each take is one statement
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

/** Takes one dose of a half-hour slot; false when it is full or does not exist. */
export async function takeSlot(trx: Trx, campaignId: string, p: DosePlace): Promise<boolean> {
  const row = await trx
    .updateTable('capacity_slots')
    .set({ booked: sql`booked + 1` })
    .where('campaign_id', '=', campaignId)
    .where('institution_id', '=', p.institutionId)
    .where('date', '=', p.date)
    .where('minute', '=', p.minute)
    .where(sql<boolean>`booked < capacity`)
    .returning('booked')
    .executeTakeFirst();
  return row !== undefined;
}

/**
 * Takes one dose in the free slot of that clinic-day nearest to `wantedMinute` (the same time if
 * free; ties go to the earlier time). FOR UPDATE re-checks `booked < capacity` after waiting for
 * a concurrent taker, moving on to the next nearest slot if that one filled up meanwhile.
 */
export async function takeNearestSlot(trx: Trx, campaignId: string, institutionId: string, date: string, wantedMinute: number): Promise<number | null> {
  const result = await sql<{ minute: number }>`
    UPDATE capacity_slots SET booked = booked + 1
    WHERE campaign_id = ${campaignId} AND institution_id = ${institutionId} AND date = ${date}::date
      AND minute = (
        SELECT minute FROM capacity_slots
        WHERE campaign_id = ${campaignId} AND institution_id = ${institutionId} AND date = ${date}::date AND booked < capacity
        ORDER BY abs(minute - ${wantedMinute}::int), minute
        LIMIT 1
        FOR UPDATE
      )
      AND booked < capacity
    RETURNING minute
  `.execute(trx);
  return result.rows[0]?.minute ?? null;
}

/** Takes one dose of the clinic-day projection; false when the day is full. */
export async function takeClinicDay(trx: Trx, campaignId: string, institutionId: string, date: string): Promise<boolean> {
  const row = await trx
    .updateTable('clinic_days')
    .set({ booked: sql`booked + 1` })
    .where('campaign_id', '=', campaignId)
    .where('institution_id', '=', institutionId)
    .where('date', '=', date)
    .where(sql<boolean>`booked < capacity`)
    .returning('booked')
    .executeTakeFirst();
  return row !== undefined;
}

/** Takes one dose of a rotation window's share of a clinic-day; false when the share is used up. */
export async function takeShare(trx: Trx, campaignId: string, institutionId: string, date: string, windowId: string): Promise<boolean> {
  const row = await trx
    .updateTable('window_shares')
    .set({ booked: sql`booked + 1` })
    .where('campaign_id', '=', campaignId)
    .where('institution_id', '=', institutionId)
    .where('date', '=', date)
    .where('window_id', '=', windowId)
    .where(sql<boolean>`booked < share`)
    .returning('booked')
    .executeTakeFirst();
  return row !== undefined;
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

/** Gives back one dose: its clinic-day, its slot and, for a dose booked in a rotation window, that share. */
export async function releaseDose(trx: Trx, campaignId: string, p: DosePlace, shareWindowId: string | null): Promise<void> {
  const key = { campaignId, institutionId: p.institutionId, date: p.date };
  await trx
    .updateTable('clinic_days')
    .set({ booked: sql`booked - 1` })
    .where('campaign_id', '=', key.campaignId)
    .where('institution_id', '=', key.institutionId)
    .where('date', '=', key.date)
    .execute();
  const released = await trx
    .updateTable('capacity_slots')
    .set({ booked: sql`booked - 1` })
    .where('campaign_id', '=', key.campaignId)
    .where('institution_id', '=', key.institutionId)
    .where('date', '=', key.date)
    .where('minute', '=', p.minute)
    .where('booked', '>', 0)
    .returning('booked')
    .executeTakeFirst();
  // A booking holds its dose, so the slot must have it; anything else is a broken ledger.
  if (!released) throw new Error('capacity ledger out of step: releasing a dose that is not booked');
  if (shareWindowId !== null) {
    await trx
      .updateTable('window_shares')
      .set({ booked: sql`booked - 1` })
      .where('campaign_id', '=', key.campaignId)
      .where('institution_id', '=', key.institutionId)
      .where('date', '=', key.date)
      .where('window_id', '=', shareWindowId)
      .execute();
  }
}
