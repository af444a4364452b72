import { sql, type Transaction } from 'kysely';
import type { DB } from '../../infra/db/schema.ts';

/** Rows per statement, sent as three arrays (a priority list may hold hundreds of thousands of people). */
const BATCH = 10_000;

/** Adds or regroups a campaign's priority entries, keyed by contact hash; a later upload's group wins. */
export async function upsertPriorityEntries(trx: Transaction<DB>, campaignId: string, entries: readonly (readonly [contactHash: string, group: string])[], now: Date): Promise<void> {
  for (let i = 0; i < entries.length; i += BATCH) {
    const batch = entries.slice(i, i + BATCH);
    await sql`INSERT INTO priority_entries (campaign_id, contact_hash, group_name, created_at)
      SELECT ${campaignId}, e.contact_hash, e.group_name, ${now}::timestamptz
      FROM unnest(${batch.map(([hash]) => hash)}::text[], ${batch.map(([, group]) => group)}::text[]) AS e (contact_hash, group_name)
      ON CONFLICT (campaign_id, contact_hash) DO UPDATE SET group_name = excluded.group_name`.execute(trx);
  }
}
