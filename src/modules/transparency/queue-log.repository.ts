import { sql } from 'kysely';
import type { Db } from '../../infra/db/database.ts';

/** An entry as stored: its line, and what it is found by when not by its position (a pre-queue entry's commitment, `seed <round>`, `draw <round>`) or null. */
export interface StoredEntry {
  line: string;
  subject: string | null;
}

/** The last store event (queue-events.ts) the sequencer stored in a campaign's log. */
export interface LogCursor {
  epoch: string;
  seq: number;
}

/** An entry tile's width: a bundle never crosses a tile's edge, so a tile is read from its own bundles. */
const BUNDLE_WIDTH = 256;

/** Consecutive entries from `firstIndex` cut into bundles: at each entry tile's edge. */
function bundlesOf(firstIndex: number, lines: readonly string[]): { first: number; count: number; text: string }[] {
  const bundles = [];
  for (let at = 0; at < lines.length; ) {
    const index = firstIndex + at;
    const count = Math.min(lines.length - at, BUNDLE_WIDTH - (index % BUNDLE_WIDTH));
    bundles.push({ first: index, count, text: lines.slice(at, at + count).join('') });
    at += count;
  }
  return bundles;
}

/**
 * Stores a campaign's entries from `firstIndex` on, in bundles (migration 0026), the subjects of
 * those found by what they are about, and the cursor of the events they came from, in one
 * statement. Every append starts a bundle at the log's end as its writer read it, so two writers
 * that read the same end, or one that read an older end, cannot both succeed: the primary key
 * refuses the second whole.
 */
export async function insertLogEntries(db: Db, campaignId: string, firstIndex: number, entries: readonly StoredEntry[], cursor: LogCursor | null = null): Promise<void> {
  if (entries.length === 0) return;
  const bundles = bundlesOf(
    firstIndex,
    entries.map((e) => e.line),
  );
  const subjects = entries.flatMap((e, i) => (e.subject === null ? [] : [{ subject: e.subject, leafIndex: firstIndex + i }]));
  const cursors = cursor ? [cursor] : [];
  await sql`WITH
    stored AS (
      INSERT INTO queue_log_bundles (campaign_id, first_index, count, entries)
      SELECT ${campaignId}, b.first, b.count, b.entries
        FROM unnest(${bundles.map((b) => b.first)}::int[], ${bundles.map((b) => b.count)}::int[], ${bundles.map((b) => b.text)}::text[]) AS b (first, count, entries)
      RETURNING 1),
    about AS (
      INSERT INTO queue_log_subjects (campaign_id, subject, leaf_index)
      SELECT ${campaignId}, s.subject, s.leaf FROM unnest(${subjects.map((s) => s.subject)}::text[], ${subjects.map((s) => s.leafIndex)}::int[]) AS s (subject, leaf)
      RETURNING 1),
    moved AS (
      INSERT INTO queue_log_cursors (campaign_id, epoch, seq)
      SELECT ${campaignId}, c.epoch, c.seq FROM unnest(${cursors.map((c) => c.epoch)}::text[], ${cursors.map((c) => c.seq)}::bigint[]) AS c (epoch, seq)
      ON CONFLICT (campaign_id) DO UPDATE SET epoch = excluded.epoch, seq = excluded.seq
      RETURNING 1)
    SELECT (SELECT count(*) FROM stored) AS stored, (SELECT count(*) FROM about) AS about, (SELECT count(*) FROM moved) AS moved`.execute(db);
}

/** The entries [from, to) of a campaign's log, in order, each line with its newline (fewer when the log is shorter). */
export async function readLogEntries(db: Db, campaignId: string, from: number, to: number): Promise<string[]> {
  if (to <= from) return [];
  const { rows } = await sql<{ first_index: number; entries: string }>`
    SELECT first_index, entries FROM queue_log_bundles
     WHERE campaign_id = ${campaignId} AND first_index < ${to}
       AND first_index >= coalesce((SELECT max(first_index) FROM queue_log_bundles WHERE campaign_id = ${campaignId} AND first_index <= ${from}), 0)
     ORDER BY first_index`.execute(db);
  const lines: string[] = [];
  for (const row of rows) {
    let index = row.first_index;
    let at = 0;
    for (;;) {
      const end = row.entries.indexOf('\n', at);
      if (end < 0) break;
      if (index >= from && index < to) lines.push(row.entries.slice(at, end + 1));
      index += 1;
      at = end + 1;
    }
  }
  return lines;
}

/** Where the sequencer of a campaign's log left off, or null before its first entry. */
export async function readLogCursor(db: Db, campaignId: string): Promise<LogCursor | null> {
  const row = await db.selectFrom('queue_log_cursors').select(['epoch', 'seq']).where('campaign_id', '=', campaignId).executeTakeFirst();
  return row ? { epoch: row.epoch, seq: Number(row.seq) } : null;
}

/** Which of these subjects the campaign's log holds an entry about (one read per 10,000). */
export async function loggedSubjects(db: Db, campaignId: string, subjects: readonly string[]): Promise<Set<string>> {
  const found = new Set<string>();
  for (let at = 0; at < subjects.length; at += 10_000) {
    const rows = await db
      .selectFrom('queue_log_subjects')
      .select('subject')
      .where('campaign_id', '=', campaignId)
      .where('subject', '=', (eb) => eb.fn.any(eb.val(subjects.slice(at, at + 10_000))))
      .execute();
    for (const r of rows) found.add(r.subject);
  }
  return found;
}

/** The first entry about `subject` (a pre-queue entry's commitment, `seed <round>`, `draw <round>`) in a campaign's log: its leaf index and line, or null. */
export async function findLogSubject(db: Db, campaignId: string, subject: string): Promise<{ leafIndex: number; line: string } | null> {
  const row = await db
    .selectFrom('queue_log_subjects')
    .select('leaf_index')
    .where('campaign_id', '=', campaignId)
    .where('subject', '=', subject)
    .orderBy('leaf_index')
    .limit(1)
    .executeTakeFirst();
  if (!row) return null;
  const [line] = await readLogEntries(db, campaignId, row.leaf_index, row.leaf_index + 1);
  return line === undefined ? null : { leafIndex: row.leaf_index, line };
}

/**
 * The leaf index of the first entry about each of these subjects in a campaign's log, where it
 * holds one: one read for a batch of holders (`PlaceLeafIndexes`), their lines left unread.
 */
export async function firstLeavesOf(db: Db, campaignId: string, subjects: readonly string[]): Promise<Map<string, number>> {
  const rows = await db
    .selectFrom('queue_log_subjects')
    .select(['subject', (eb) => eb.fn.min<number>('leaf_index').as('leaf_index')])
    .where('campaign_id', '=', campaignId)
    .where('subject', '=', (eb) => eb.fn.any(eb.val(subjects)))
    .groupBy('subject')
    .execute();
  return new Map(rows.map((r) => [r.subject, Number(r.leaf_index)]));
}
