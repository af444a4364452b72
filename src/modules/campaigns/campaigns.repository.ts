import type { Transaction } from 'kysely';
import type { Db } from '../../infra/db/database.ts';
import type { DB } from '../../infra/db/schema.ts';
import type { AdmissionPolicy, Campaign } from './campaign.ts';

/** A campaign's own columns (all but its id), as stored. */
function campaignColumns(campaign: Campaign) {
  return {
    name: campaign.name,
    born_from: campaign.cohort.bornFrom,
    born_to: campaign.cohort.bornTo,
    vaccine_name: campaign.vaccine.name,
    doses: campaign.vaccine.doses,
    interval_days: campaign.vaccine.intervalDays,
    queue_opens_at: campaign.queueOpensAt,
    proxy_allowed: campaign.proxyAllowed,
    admission: JSON.stringify(campaign.admission),
    synthetic: campaign.synthetic ?? false,
  };
}

/** A campaign's windows as rows of `campaign_windows`. */
function windowRows(campaign: Campaign) {
  return campaign.windows.map((w) => ({
    campaign_id: campaign.id,
    id: w.id,
    kind: w.kind,
    opens_at: w.opensAt,
    closes_at: w.closesAt,
    birth_day_digits: w.birthDayDigits,
    born_from: w.bornFrom,
    born_to: w.bornTo,
  }));
}

/** Inserts a campaign and its windows; the caller's transaction makes it all-or-nothing. */
export async function insertCampaign(trx: Transaction<DB>, campaign: Campaign): Promise<void> {
  await trx
    .insertInto('campaigns')
    .values({ id: campaign.id, ...campaignColumns(campaign) })
    .execute();
  await trx
    .insertInto('campaign_windows')
    .values(windowRows(campaign))
    .execute();
}

export async function campaignExists(db: Db, id: string): Promise<boolean> {
  const row = await db.selectFrom('campaigns').select('id').where('id', '=', id).executeTakeFirst();
  return row !== undefined;
}

/** Loads campaigns (all, or the given ids) with their windows. */
export async function loadCampaigns(db: Db, ids?: string[]): Promise<Campaign[]> {
  if (ids && ids.length === 0) return [];
  let campaignsQuery = db.selectFrom('campaigns').selectAll().orderBy('created_at').orderBy('id');
  let windowsQuery = db.selectFrom('campaign_windows').selectAll().orderBy('opens_at').orderBy('id');
  if (ids) {
    campaignsQuery = campaignsQuery.where('id', 'in', ids);
    windowsQuery = windowsQuery.where('campaign_id', 'in', ids);
  }
  const [rows, windowRows] = await Promise.all([campaignsQuery.execute(), windowsQuery.execute()]);
  return rows.map((row) => ({
    id: row.id,
    name: row.name,
    cohort: { bornFrom: row.born_from, bornTo: row.born_to },
    vaccine: { name: row.vaccine_name, doses: row.doses, intervalDays: row.interval_days },
    queueOpensAt: row.queue_opens_at,
    proxyAllowed: row.proxy_allowed,
    admission: row.admission as AdmissionPolicy,
    synthetic: row.synthetic,
    windows: windowRows
      .filter((w) => w.campaign_id === row.id)
      .map((w) => ({
        id: w.id,
        kind: w.kind,
        opensAt: w.opens_at,
        closesAt: w.closes_at,
        birthDayDigits: w.birth_day_digits,
        bornFrom: w.born_from,
        bornTo: w.born_to,
      })),
  }));
}

/**
 * Replaces a campaign's definition and windows inside the caller's transaction: windows no longer
 * listed are deleted, the others upserted. The caller has locked the row (`lockCampaign`).
 */
export async function replaceCampaign(trx: Transaction<DB>, campaign: Campaign): Promise<void> {
  await trx
    .updateTable('campaigns')
    .set(campaignColumns(campaign))
    .where('id', '=', campaign.id)
    .execute();
  await trx
    .deleteFrom('campaign_windows')
    .where('campaign_id', '=', campaign.id)
    .where('id', 'not in', campaign.windows.map((w) => w.id))
    .execute();
  await trx
    .insertInto('campaign_windows')
    .values(windowRows(campaign))
    .onConflict((oc) =>
      oc.columns(['campaign_id', 'id']).doUpdateSet((eb) => ({
        kind: eb.ref('excluded.kind'),
        opens_at: eb.ref('excluded.opens_at'),
        closes_at: eb.ref('excluded.closes_at'),
        birth_day_digits: eb.ref('excluded.birth_day_digits'),
        born_from: eb.ref('excluded.born_from'),
        born_to: eb.ref('excluded.born_to'),
      })),
    )
    .execute();
}

/** Locks a campaign's row for an edit and reads it with its windows as the database has them (not the node's cache). */
export async function lockCampaign(trx: Transaction<DB>, id: string): Promise<Campaign | null> {
  const locked = await trx.selectFrom('campaigns').select('id').where('id', '=', id).forUpdate().executeTakeFirst();
  if (!locked) return null;
  const [campaign] = await loadCampaigns(trx, [id]);
  return campaign ?? null;
}

/** Sets a campaign's admission policy (its bounds); returns the policy it replaced, or null if no such campaign. */
export async function replaceAdmission(trx: Transaction<DB>, id: string, admission: AdmissionPolicy): Promise<AdmissionPolicy | null> {
  const before = await trx.selectFrom('campaigns').select('admission').where('id', '=', id).forUpdate().executeTakeFirst();
  if (!before) return null;
  await trx.updateTable('campaigns').set({ admission: JSON.stringify(admission) }).where('id', '=', id).execute();
  return before.admission as AdmissionPolicy;
}

/** Drops the shares of windows that are no longer rotation windows (unbooked: the rotation had not started). */
export async function dropSharesOutside(trx: Transaction<DB>, campaignId: string, rotationIds: string[]): Promise<void> {
  let query = trx.deleteFrom('window_shares').where('campaign_id', '=', campaignId).where('booked', '=', 0);
  if (rotationIds.length > 0) query = query.where('window_id', 'not in', rotationIds);
  await query.execute();
}

/** The campaigns that have a priority list (an index probe each: `priority_entries`' key starts with the campaign). */
export async function campaignsWithPriorityLists(db: Db): Promise<Set<string>> {
  const rows = await db
    .selectFrom('campaigns as c')
    .select('c.id')
    .where(({ exists, selectFrom }) => exists(selectFrom('priority_entries as p').select('p.campaign_id').whereRef('p.campaign_id', '=', 'c.id')))
    .execute();
  return new Set(rows.map((r) => r.id));
}
