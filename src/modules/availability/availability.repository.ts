import { sql, type RawBuilder } from 'kysely';
import type { Db } from '../../infra/db/database.ts';
import { distanceExpr } from '../../infra/db/great-circle.ts';
import type { Institution } from '../institutions/index.ts';

/** Whose remaining doses to show: a rotation window's share, or the whole clinic-day. */
export interface RemainingFor {
  campaignId: string;
  /** The rotation window whose share limits the person, or null outside the rotation. */
  shareWindowId: string | null;
}

export interface InstitutionPageQuery extends RemainingFor {
  sido?: string;
  sigungu?: string;
  near?: { lat: number; lng: number; radiusKm: number };
  /** Only this date (and only clinics with a dose left on it). */
  date?: string;
  /** First bookable date (tomorrow in Seoul). */
  fromDate: string;
  after?: unknown[];
  limit: number;
  /** The dates whose remaining doses each clinic of the page lists. */
  datesFrom: string;
  datesTo: string;
}

interface DateRemaining {
  date: string;
  remaining: number;
}

/**
 * An institution of a search page, with its distance from the point searched near (if any) and
 * its remaining doses per date from `datesFrom` to `datesTo`.
 */
export type InstitutionRow = Institution & { distance_km: number | null; dates: DateRemaining[] };

/** Remaining doses of clinic-day `d` for the person: the smaller of their window's share and the day. */
function remainingExpr(q: RemainingFor): RawBuilder<number> {
  if (q.shareWindowId === null) return sql<number>`(d.capacity - d.booked)`;
  return sql<number>`LEAST(d.capacity - d.booked, COALESCE((
    SELECT ws.share - ws.booked FROM window_shares ws
    WHERE ws.campaign_id = d.campaign_id AND ws.institution_id = d.institution_id AND ws.date = d.date AND ws.window_id = ${q.shareWindowId}
  ), 0))`;
}

/**
 * One page of a campaign's institutions: by region (ordered by sido, sigungu, name, id) or by
 * distance from a point (ordered by distance, id), keyset-paginated, each with its remaining doses
 * per date — one round trip (the dates are read for the page's rows only, after its limit). Reads
 * institutions and the clinic-day projection only — never the bookings.
 */
export async function institutionPage(db: Db, q: InstitutionPageQuery): Promise<InstitutionRow[]> {
  const conditions: RawBuilder<unknown>[] = [];
  // One date across a province or a radius: start from that date's clinic-days with a dose left
  // (index `clinic_days_by_date`, migration 0017) — at most one row per clinic, and few once the
  // date sells out. Walking the province's clinics in order and probing each, as below, stops after
  // a page while doses are plentiful, but visits every clinic of the province once they are gone:
  // 15.5 ms a search, 70% of PostgreSQL's execution time on the 200,000-person night.
  const fromOpenDays = q.date !== undefined && !q.sigungu;
  const openDays = fromOpenDays
    ? sql`WITH open_days AS MATERIALIZED (
        SELECT d.institution_id FROM clinic_days d WHERE d.campaign_id = ${q.campaignId} AND d.date = ${q.date}::date AND ${remainingExpr(q)} > 0
      )`
    : sql``;
  if (fromOpenDays) {
    conditions.push(sql`i.id IN (SELECT institution_id FROM open_days)`);
  } else {
    const dayFilter = q.date ? sql`d.date = ${q.date}::date AND ${remainingExpr(q)} > 0` : sql`d.date >= ${q.fromDate}::date`;
    conditions.push(sql`EXISTS (SELECT 1 FROM clinic_days d WHERE d.campaign_id = ${q.campaignId} AND d.institution_id = i.id AND ${dayFilter})`);
  }
  if (q.sido) conditions.push(sql`i.sido = ${q.sido}`);
  if (q.sigungu) conditions.push(sql`i.sigungu = ${q.sigungu}`);
  let distance: RawBuilder<number | null> = sql<null>`NULL::float8`;
  let order: RawBuilder<unknown>;
  if (q.near) {
    const { lat, lng, radiusKm } = q.near;
    // A bounding box first (uses the (lat, lng) index), then the exact great-circle distance.
    const dLat = radiusKm / 111.32;
    const dLng = radiusKm / (111.32 * Math.max(0.01, Math.cos((lat * Math.PI) / 180)));
    conditions.push(sql`i.lat BETWEEN ${lat - dLat}::float8 AND ${lat + dLat}::float8 AND i.lng BETWEEN ${lng - dLng}::float8 AND ${lng + dLng}::float8`);
    distance = distanceExpr(lat, lng);
    conditions.push(sql`${distance} <= ${radiusKm}::float8`);
    if (q.after) conditions.push(sql`(${distance}, i.id) > (${Number(q.after[0])}::float8, ${String(q.after[1])})`);
    order = sql`distance_km, i.id`;
  } else {
    if (q.after) {
      const [sido, sigungu, name, id] = q.after.map(String);
      conditions.push(sql`(i.sido, i.sigungu, i.name, i.id) > (${sido}, ${sigungu}, ${name}, ${id})`);
    }
    order = sql`i.sido, i.sigungu, i.name, i.id`;
  }
  // Prepared like any recurring statement: since the search for a date starts from the open
  // clinic-days, PostgreSQL's generic plans run within 5–14% of per-call plans, which also cost
  // 0.17 ms of planning per call (docs/performance.md, "The night's database work"). `CUSTOM_PLAN_MARK` would plan it per call.
  const result = await sql<InstitutionRow>`${openDays}
    SELECT page.*, (
      SELECT COALESCE(json_agg(json_build_object('date', d.date, 'remaining', ${remainingExpr(q)}) ORDER BY d.date), '[]'::json)
      FROM clinic_days d
      WHERE d.campaign_id = ${q.campaignId} AND d.institution_id = page.id AND d.date BETWEEN ${q.datesFrom}::date AND ${q.datesTo}::date
    ) AS dates
    FROM (
      SELECT i.id, i.name, i.address, i.sido, i.sigungu, i.lat, i.lng, ${distance} AS distance_km
      FROM institutions i
      WHERE ${sql.join(conditions, sql` AND `)}
      ORDER BY ${order}
      LIMIT ${q.limit}::int
    ) AS page
    ORDER BY ${q.near ? sql`page.distance_km, page.id` : sql`page.sido, page.sigungu, page.name, page.id`}
  `.execute(db);
  return result.rows;
}

export interface SlotRemaining {
  date: string;
  minute: number;
  remaining: number;
}

/** Half-hour slots of one clinic with what the person can still book in each. */
export async function slotsOf(db: Db, q: RemainingFor & { institutionId: string; fromDate: string; toDate: string }): Promise<SlotRemaining[]> {
  const result = await sql<SlotRemaining>`
    SELECT s.date, s.minute, GREATEST(0, LEAST(s.capacity - s.booked, ${remainingExpr(q)})) AS remaining
    FROM capacity_slots s
    JOIN clinic_days d ON d.campaign_id = s.campaign_id AND d.institution_id = s.institution_id AND d.date = s.date
    WHERE s.campaign_id = ${q.campaignId} AND s.institution_id = ${q.institutionId}
      AND s.date BETWEEN ${q.fromDate}::date AND ${q.toDate}::date
    ORDER BY s.date, s.minute
  `.execute(db);
  return result.rows;
}

/** True when the institution takes part in the campaign (has any clinic-day). */
export async function institutionInCampaign(db: Db, campaignId: string, institutionId: string): Promise<boolean> {
  const row = await db
    .selectFrom('clinic_days')
    .select('date')
    .where('campaign_id', '=', campaignId)
    .where('institution_id', '=', institutionId)
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}
