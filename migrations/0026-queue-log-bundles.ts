import { sql, type Kysely } from 'kysely';

/**
 * The queue log stored by bundle (issue 22, docs/transparency.md "Storage and serving"): a row per
 * append and entry tile instead of a row per entry, which cost the embedded database's thread
 * about 20 µs an entry (a heap tuple and two index entries each) against about 4 µs.
 * - `queue_log_bundles`: the entries `first_index` … `first_index + count - 1` of a campaign's
 *   log, their lines one after another (each ends in a newline). An append starts a bundle, and a
 *   bundle never crosses an entry tile's edge (256 entries). Stored as is, not compressed: a
 *   bundle is read whole, and compressing it cost more than it saved.
 * - `queue_log_subjects`: the entries found by what they are about rather than by position — a
 *   pre-queue `enter` by its commitment, a round's `seed` and `draw` by `seed <round>` and
 *   `draw <round>`. A `place` or `restore` is found by its position (each node holds which leaf
 *   logs which position: `CampaignQueueLog`), so it needs no row here.
 * The stored entries move into bundles of their entry tiles; `queue_log_entries` goes.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`CREATE TABLE queue_log_bundles (
    campaign_id text NOT NULL,
    first_index integer NOT NULL CHECK (first_index >= 0),
    count integer NOT NULL CHECK (count BETWEEN 1 AND 256),
    entries text NOT NULL,
    PRIMARY KEY (campaign_id, first_index)
  )`.execute(db);
  await sql`ALTER TABLE queue_log_bundles ALTER COLUMN entries SET STORAGE EXTERNAL`.execute(db);
  await sql`CREATE TABLE queue_log_subjects (
    campaign_id text NOT NULL,
    subject text NOT NULL,
    leaf_index integer NOT NULL CHECK (leaf_index >= 0),
    PRIMARY KEY (campaign_id, subject, leaf_index)
  )`.execute(db);
  await sql`INSERT INTO queue_log_bundles (campaign_id, first_index, count, entries)
    SELECT campaign_id, min(leaf_index), count(*), string_agg(entry, '' ORDER BY leaf_index)
      FROM queue_log_entries GROUP BY campaign_id, leaf_index / 256`.execute(db);
  await sql`INSERT INTO queue_log_subjects (campaign_id, subject, leaf_index)
    SELECT campaign_id, subject, leaf_index FROM queue_log_entries
     WHERE subject IS NOT NULL AND entry NOT LIKE 'place %' AND entry NOT LIKE 'restore %'`.execute(db);
  await sql`DROP TABLE queue_log_entries`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`CREATE TABLE queue_log_entries (
    campaign_id text NOT NULL,
    leaf_index integer NOT NULL CHECK (leaf_index >= 0),
    entry text NOT NULL CHECK (octet_length(entry) BETWEEN 1 AND 65535),
    subject text,
    PRIMARY KEY (campaign_id, leaf_index)
  )`.execute(db);
  await sql`CREATE INDEX queue_log_entries_subject ON queue_log_entries (campaign_id, subject) WHERE subject IS NOT NULL`.execute(db);
  await sql`INSERT INTO queue_log_entries (campaign_id, leaf_index, entry)
    SELECT b.campaign_id, b.first_index + l.n::integer - 1, l.line || E'\n'
      FROM queue_log_bundles b, regexp_split_to_table(rtrim(b.entries, E'\n'), E'\n') WITH ORDINALITY AS l (line, n)`.execute(db);
  // Place and restore entries were found by their commitment (the fourth field) before.
  await sql`UPDATE queue_log_entries SET subject = split_part(rtrim(entry, E'\n'), ' ', 4) WHERE entry LIKE 'place %' OR entry LIKE 'restore %'`.execute(db);
  await sql`UPDATE queue_log_entries e SET subject = s.subject FROM queue_log_subjects s
     WHERE s.campaign_id = e.campaign_id AND s.leaf_index = e.leaf_index`.execute(db);
  await sql`DROP TABLE queue_log_subjects`.execute(db);
  await sql`DROP TABLE queue_log_bundles`.execute(db);
}
