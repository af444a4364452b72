import type { Ctx } from '../../context.ts';
import type { Db } from '../../infra/db/database.ts';
import { firstBookableDate } from '../availability/index.ts';
import { campaignDoses, type CampaignDoses } from './campaign-doses.repository.ts';

/** Every clinic-day's doses of a campaign, loaded and not booked yet: the operator statistics. */
export async function campaignDoseFigures(ctx: Pick<Ctx, 'db'>, campaignId: string): Promise<CampaignDoses> {
  return campaignDoses(ctx.db, campaignId);
}

/**
 * A campaign's doses on the clinic-days a booking made at `now` may still take (from
 * `firstBookableDate` on): what the waiting room reads to hold its queue while a campaign is sold out.
 */
export async function bookableDoses(db: Db, campaignId: string, now: Date): Promise<CampaignDoses> {
  return campaignDoses(db, campaignId, firstBookableDate(now));
}
