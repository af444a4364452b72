import type { Ctx } from '../../context.ts';
import { YeyakError } from '../../errors.ts';
import { type Campaign, currentWindowFor } from '../campaigns/index.ts';
import { addDays, seoulDate, timeFromMinutes } from '../../lib/seoul-time.ts';
import { institutionInCampaign, institutionPage, slotsOf, type RemainingFor } from './availability.repository.ts';

/** How far ahead availability is listed by default, in days. */
export const DEFAULT_HORIZON_DAYS = 28;
const MAX_SPAN_DAYS = 92;

/** The share a person's bookings draw on now: their open rotation window's, or none. */
export function remainingFor(campaign: Campaign, birthDate: string, now: Date): RemainingFor {
  const window = currentWindowFor(campaign.windows, birthDate, now);
  return { campaignId: campaign.id, shareWindowId: window?.kind === 'rotation' ? window.id : null };
}

/** First date bookable through the campaign (tomorrow in Seoul; same-day doses are leftovers). */
export function firstBookableDate(now: Date): string {
  return addDays(seoulDate(now), 1);
}

function encodeCursor(key: unknown[]): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

function decodeCursor(cursor: string): unknown[] {
  try {
    const key: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(key) && key.length >= 2 && key.length <= 4 && key.every((k) => typeof k === 'string' || typeof k === 'number')) return key;
  } catch {
    // fall through to the coded error
  }
  throw new YeyakError('YEYAK_ERR_VALIDATION', { details: { problems: ['cursor is not one this server gave out'] } });
}

function parseNear(near: string, radiusKm: number): { lat: number; lng: number; radiusKm: number } {
  const match = /^(-?\d{1,2}(?:\.\d+)?),(-?\d{1,3}(?:\.\d+)?)$/.exec(near);
  const lat = Number(match?.[1]);
  const lng = Number(match?.[2]);
  if (!match || Math.abs(lat) > 90 || Math.abs(lng) > 180) {
    throw new YeyakError('YEYAK_ERR_VALIDATION', { details: { problems: ['near must be "lat,lng"'] } });
  }
  return { lat, lng, radiusKm };
}

export interface InstitutionSearch {
  sido?: string;
  sigungu?: string;
  near?: string;
  radiusKm?: number;
  date?: string;
  cursor?: string;
  limit?: number;
}

/** A page of clinics with remaining doses per date for this person's window. */
export async function searchInstitutions(ctx: Pick<Ctx, 'clock' | 'db'>, campaign: Campaign, birthDate: string, search: InstitutionSearch) {
  const now = ctx.clock.now();
  const forPerson = remainingFor(campaign, birthDate, now);
  const fromDate = firstBookableDate(now);
  const limit = search.limit ?? 20;
  const near = search.near === undefined ? undefined : parseNear(search.near, search.radiusKm ?? 10);
  const rows = await institutionPage(ctx.db, {
    ...forPerson,
    sido: search.sido,
    sigungu: search.sigungu,
    near,
    date: search.date,
    fromDate,
    after: search.cursor === undefined ? undefined : decodeCursor(search.cursor),
    limit,
    datesFrom: search.date ?? fromDate,
    datesTo: search.date ?? addDays(fromDate, DEFAULT_HORIZON_DAYS - 1),
  });
  const last = rows.at(-1);
  const next = rows.length < limit || !last ? null : encodeCursor(near ? [last.distance_km ?? 0, last.id] : [last.sido, last.sigungu, last.name, last.id]);
  return {
    items: rows.map((r) => ({
      id: r.id,
      name: r.name,
      address: r.address,
      sido: r.sido,
      sigungu: r.sigungu,
      lat: r.lat,
      lng: r.lng,
      distanceKm: r.distance_km === null ? null : Math.round(r.distance_km * 100) / 100,
      dates: r.dates.map((d) => ({ date: d.date, remaining: d.remaining })),
    })),
    next,
  };
}

/** The half-hour slots of one clinic between two dates, with what this person can still book. */
export async function listSlots(ctx: Pick<Ctx, 'clock' | 'db'>, campaign: Campaign, birthDate: string, institutionId: string, range: { from?: string; to?: string }) {
  const now = ctx.clock.now();
  const first = firstBookableDate(now);
  const fromDate = range.from && range.from > first ? range.from : first;
  const toDate = range.to ?? addDays(fromDate, DEFAULT_HORIZON_DAYS - 1);
  if (toDate < fromDate || addDays(fromDate, MAX_SPAN_DAYS) < toDate) {
    throw new YeyakError('YEYAK_ERR_VALIDATION', { details: { problems: [`to must be on or after from and at most ${MAX_SPAN_DAYS} days later`] } });
  }
  const slots = await slotsOf(ctx.db, { ...remainingFor(campaign, birthDate, now), institutionId, fromDate, toDate });
  // Slots found means the clinic is in the campaign: one round trip where there are any (the common
  // case), a second only to tell a clinic outside the campaign from one with no slots in the range.
  if (slots.length === 0 && !(await institutionInCampaign(ctx.db, campaign.id, institutionId))) throw new YeyakError('YEYAK_ERR_INSTITUTION_NOT_FOUND');
  return slots.map((s) => ({ date: s.date, time: timeFromMinutes(s.minute), remaining: s.remaining }));
}
