import { sql } from 'kysely';
import type { Db } from '../../../infra/db/database.ts';

export interface SidoRemaining {
  campaignId: string;
  sido: string;
  remaining: number;
  capacity: number;
}

/**
 * Remaining and total doses per campaign and sido from today (Seoul) on, read from the
 * availability projection (`clinic_days`, one row per clinic-day) joined to the clinics — never
 * from bookings. One statement for every campaign being watched.
 */
export async function remainingBySido(db: Db, campaignIds: string[], today: string): Promise<SidoRemaining[]> {
  if (campaignIds.length === 0) return [];
  const result = await sql<SidoRemaining>`
    SELECT d.campaign_id AS "campaignId", i.sido, sum(d.capacity - d.booked)::int AS remaining, sum(d.capacity)::int AS capacity
    FROM clinic_days d JOIN institutions i ON i.id = d.institution_id
    WHERE d.campaign_id IN (${sql.join(campaignIds)}) AND d.date >= ${today}::date
    GROUP BY d.campaign_id, i.sido
    ORDER BY i.sido`.execute(db);
  return result.rows;
}
