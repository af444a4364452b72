import type { Transaction } from 'kysely';
import type { DB } from '../../infra/db/schema.ts';
import { rotationWindows, type Campaign } from './campaign.ts';
import { refreshClinicDays, type ClinicDayScope } from './clinic-days.repository.ts';

/**
 * After a campaign's slots change (a capacity upload, a seed, a new rotation), rebuilds what the
 * booking path reads of them: each clinic-day's doses and their split over the campaign's own
 * rotation windows, for some clinic-days or all, in the caller's transaction.
 */
export async function rebuildClinicDays(trx: Transaction<DB>, campaign: Campaign, scope: ClinicDayScope): Promise<void> {
  await refreshClinicDays(trx, campaign.id, rotationWindows(campaign), scope);
}
