import { sql, type Transaction } from 'kysely';
import type { DB } from '../../infra/db/schema.ts';
import type { CampaignWindow } from './domain/windows.ts';

/** Which clinic-days to refresh: some (institution, date) pairs, or all of a campaign. */
export type ClinicDayScope = { institutionId: string; date: string }[] | 'all';

function scopeFilter(scope: ClinicDayScope) {
  if (scope === 'all') return sql`true`;
  return sql`(institution_id, date) IN (${sql.join(scope.map((p) => sql`(${p.institutionId}, ${p.date}::date)`))})`;
}

/**
 * Rebuilds the availability projection for the scope from the slots: each clinic-day's capacity
 * is the sum of its half-hour slots, and each rotation window's share is that capacity split
 * evenly (BRIEF §3, 물량 균등분배). The split is the SQL twin of `splitEvenly(capacity, n, dayNumber)`
 * — the extra doses go to consecutive windows starting at the day's number, so no window is
 * always the one short — and a test holds the two to the same answers. A share never drops below
 * what is already booked in it (the clinic-day and slot rows stay the hard limits).
 */
export async function refreshClinicDays(
  trx: Transaction<DB>,
  campaignId: string,
  rotation: readonly CampaignWindow[],
  scope: ClinicDayScope,
): Promise<void> {
  await sql`
    INSERT INTO clinic_days (campaign_id, institution_id, date, capacity)
    SELECT campaign_id, institution_id, date, sum(capacity)::int
    FROM capacity_slots
    WHERE campaign_id = ${campaignId} AND ${scopeFilter(scope)}
    GROUP BY campaign_id, institution_id, date
    ON CONFLICT (campaign_id, institution_id, date) DO UPDATE SET capacity = excluded.capacity
  `.execute(trx);
  if (rotation.length === 0) return;
  const n = rotation.length;
  const windows = sql.join(rotation.map((w, ordinal) => sql`(${w.id}::text, ${ordinal}::int)`));
  await sql`
    INSERT INTO window_shares (campaign_id, institution_id, date, window_id, share)
    SELECT d.campaign_id, d.institution_id, d.date, w.window_id,
      d.capacity / ${n}::int
        + CASE WHEN (((w.ordinal - (d.date - DATE '1970-01-01')) % ${n}::int) + ${n}::int) % ${n}::int < d.capacity % ${n}::int
          THEN 1 ELSE 0 END
    FROM clinic_days d CROSS JOIN (VALUES ${windows}) AS w (window_id, ordinal)
    WHERE d.campaign_id = ${campaignId} AND ${scopeFilter(scope)}
    ON CONFLICT (campaign_id, institution_id, date, window_id)
      DO UPDATE SET share = GREATEST(excluded.share, window_shares.booked)
  `.execute(trx);
}
