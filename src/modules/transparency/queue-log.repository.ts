import { sql } from 'kysely';
import type { Db } from '../../infra/db/database.ts';

/** An entry as stored: its line, and what it is about for look-ups (a commitment, `seed <round>`) or null. */
export interface StoredEntry {
  line: string;
  subject: string | null;
}

/** The last store event (queue-events.ts) the sequencer stored in a campaign's log. */
export interface LogCursor {
  epoch: string;
  seq: number;
}

/**
 * Stores a campaign's entries from `firstIndex` on and, in the same statement, the cursor of the
 * events they came from. Two writers of the same indices cannot both succeed: the primary key
 * refuses the second whole.
 */
export async function insertLogEntries(db: Db, campaignId: string, firstIndex: number, entries: readonly StoredEntry[], cursor: LogCursor | null = null): Promise<void> {
  if (entries.length === 0) return;
  const cursors = cursor ? [cursor] : [];
  await sql`WITH
    stored AS (
      INSERT INTO queue_log_entries (campaign_id, leaf_index, entry, subject)
      SELECT ${campaignId}, ${firstIndex}::int + e.n::int - 1, e.entry, e.subject
        FROM unnest(${entries.map((e) => e.line)}::text[], ${entries.map((e) => e.subject)}::text[]) WITH ORDINALITY AS e (entry, subject, n)
      RETURNING 1),
    moved AS (
      INSERT INTO queue_log_cursors (campaign_id, epoch, seq)
      SELECT ${campaignId}, c.epoch, c.seq FROM unnest(${cursors.map((c) => c.epoch)}::text[], ${cursors.map((c) => c.seq)}::bigint[]) AS c (epoch, seq)
      ON CONFLICT (campaign_id) DO UPDATE SET epoch = excluded.epoch, seq = excluded.seq
      RETURNING 1)
    SELECT (SELECT count(*) FROM stored) AS stored, (SELECT count(*) FROM moved) AS moved`.execute(db);
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

/** Where the sequencer of a campaign's log left off, or null before its first entry. */
export async function readLogCursor(db: Db, campaignId: string): Promise<LogCursor | null> {
  const row = await db.selectFrom('queue_log_cursors').select(['epoch', 'seq']).where('campaign_id', '=', campaignId).executeTakeFirst();
  return row ? { epoch: row.epoch, seq: Number(row.seq) } : null;
}

/** The first entry about `subject` in a campaign's log: its leaf index and line, or null. */
/** The highest position of a `place` or `restore` entry in the campaign's log (0 when none). */
export async function lastLoggedPosition(db: Db, campaignId: string): Promise<number> {
  const { rows } = await sql<{ last: number | null }>`
    SELECT max(split_part(entry, ' ', 2)::integer) AS last FROM queue_log_entries
    WHERE campaign_id = ${campaignId} AND (entry LIKE 'place %' OR entry LIKE 'restore %')`.execute(db);
  return rows[0]?.last ?? 0;
}

/** The positions the campaign's log shows admitted, and how far it shows the queue served. */
export async function loggedService(db: Db, campaignId: string): Promise<{ admitted: Set<number>; servingUpTo: number }> {
  const [admits, served] = await Promise.all([
    sql<{ n: number }>`SELECT split_part(entry, ' ', 2)::integer AS n FROM queue_log_entries WHERE campaign_id = ${campaignId} AND entry LIKE 'admit %'`.execute(db),
    sql<{ n: number | null }>`SELECT max(split_part(entry, ' ', 2)::integer) AS n FROM queue_log_entries WHERE campaign_id = ${campaignId} AND entry LIKE 'serve %'`.execute(db),
  ]);
  return { admitted: new Set(admits.rows.map((r) => r.n)), servingUpTo: served.rows[0]?.n ?? 0 };
}

/** Which of these subjects (commitments) the campaign's log holds an entry about. */
export async function loggedSubjects(db: Db, campaignId: string, subjects: readonly string[]): Promise<Set<string>> {
  if (subjects.length === 0) return new Set();
  const { rows } = await sql<{ subject: string }>`
    SELECT DISTINCT subject FROM queue_log_entries WHERE campaign_id = ${campaignId} AND subject = ANY(${subjects}::text[])`.execute(db);
  return new Set(rows.map((r) => r.subject));
}

export async function findLogEntry(db: Db, campaignId: string, subject: string): Promise<{ leafIndex: number; line: string } | null> {
  const row = await db
    .selectFrom('queue_log_entries')
    .select(['leaf_index', 'entry'])
    .where('campaign_id', '=', campaignId)
    .where('subject', '=', subject)
    .orderBy('leaf_index')
    .limit(1)
    .executeTakeFirst();
  return row ? { leafIndex: row.leaf_index, line: row.entry } : null;
}
