import { sql } from 'kysely';
import type { Db } from '../../infra/db/database.ts';

export interface CampaignDoses {
  /** Doses loaded on the clinic-days counted. */
  capacity: number;
  /** Of those, doses not booked yet. */
  remaining: number;
}

/**
 * A campaign's doses from the availability projection (`clinic_days`, one row per clinic-day),
 * never from bookings: every clinic-day, or only those from `fromDate` (a Seoul date) on. The one
 * query behind the operator statistics and the waiting room's sold-out hold.
 */
export async function campaignDoses(db: Db, campaignId: string, fromDate: string | null = null): Promise<CampaignDoses> {
  const from = fromDate === null ? sql`true` : sql`date >= ${fromDate}::date`;
  const result = await sql<CampaignDoses>`
    SELECT coalesce(sum(capacity), 0)::int AS capacity, coalesce(sum(capacity - booked), 0)::int AS remaining
    FROM clinic_days WHERE campaign_id = ${campaignId} AND ${from}`.execute(db);
  return result.rows[0]!;
}
