import { sql } from 'kysely';
import type { Db } from '../../src/infra/db/database.ts';

/**
 * An insider's hands on a campaign's stored log (`queue_log_bundles`, migration 0026), for tests
 * that tamper with it as a dishonest operator or a broken disk would.
 */

/** The lines of a campaign's stored log with their leaf indices, in order. */
async function storedLines(db: Db, campaignId: string): Promise<{ leafIndex: number; line: string; bundle: number }[]> {
  const { rows } = await sql<{ first_index: number; entries: string }>`
    SELECT first_index, entries FROM queue_log_bundles WHERE campaign_id = ${campaignId} ORDER BY first_index`.execute(db);
  return rows.flatMap((row) => row.entries.split(/(?<=\n)/).map((line, i) => ({ leafIndex: row.first_index + i, line, bundle: row.first_index })));
}

/**
 * Rewrites the first stored entry that starts with `prefix` (e.g. `admit `) by `rewrite` of its
 * line (newline included) in place, leaving every other entry as it was; returns its leaf index.
 */
export async function rewriteStoredEntry(db: Db, campaignId: string, prefix: string, rewrite: (line: string) => string): Promise<number> {
  const lines = await storedLines(db, campaignId);
  const target = lines.find((l) => l.line.startsWith(prefix));
  if (!target) throw new Error(`no stored entry of ${campaignId} starts with ${JSON.stringify(prefix)}`);
  const bundle = lines
    .filter((l) => l.bundle === target.bundle)
    .map((l) => (l.leafIndex === target.leafIndex ? rewrite(l.line) : l.line))
    .join('');
  await sql`UPDATE queue_log_bundles SET entries = ${bundle} WHERE campaign_id = ${campaignId} AND first_index = ${target.bundle}`.execute(db);
  return target.leafIndex;
}

/** Deletes the stored entries from leaf `size` on (an append's bundles start at the log's end, so `size` must be where one began). */
export async function truncateStoredLog(db: Db, campaignId: string, size: number): Promise<void> {
  const lines = await storedLines(db, campaignId);
  if (lines.some((l) => l.bundle < size && l.leafIndex >= size)) throw new Error(`leaf ${size} of ${campaignId} is inside a bundle`);
  await sql`DELETE FROM queue_log_bundles WHERE campaign_id = ${campaignId} AND first_index >= ${size}`.execute(db);
}
