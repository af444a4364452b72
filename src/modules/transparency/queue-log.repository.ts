import { sql } from 'kysely';
import type { Db } from '../../infra/db/database.ts';

/**
 * The stored entries of a campaign's queue log from `firstIndex` on, in one statement. Two writers
 * of the same indices cannot both succeed: the primary key refuses the second whole.
 */
export async function insertLogEntries(db: Db, campaignId: string, firstIndex: number, entries: readonly string[]): Promise<void> {
  if (entries.length === 0) return;
  await sql`INSERT INTO queue_log_entries (campaign_id, leaf_index, entry)
    SELECT ${campaignId}, ${firstIndex}::int + e.n::int - 1, e.entry
      FROM unnest(${[...entries]}::text[]) WITH ORDINALITY AS e (entry, n)`.execute(db);
}

/** The entries [from, to) of a campaign's log, in order (fewer when the log is shorter). */
export async function readLogEntries(db: Db, campaignId: string, from: number, to: number): Promise<string[]> {
  const rows = await db
    .selectFrom('queue_log_entries')
    .select('entry')
    .where('campaign_id', '=', campaignId)
    .where('leaf_index', '>=', from)
    .where('leaf_index', '<', to)
    .orderBy('leaf_index')
    .execute();
  return rows.map((r) => r.entry);
}
