import { sql, type Kysely } from 'kysely';

/**
 * The queue's transparency log (issue 22, docs/transparency.md): each campaign's entries in leaf
 * order, the system of record of the public log. Its hashes, tiles and checkpoints are computed
 * from these. An entry is one ASCII line (its bytes are what its leaf hashes). No personal data:
 * an entry names its holder by a commitment only.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`CREATE TABLE queue_log_entries (
    campaign_id text NOT NULL,
    leaf_index integer NOT NULL CHECK (leaf_index >= 0),
    entry text NOT NULL CHECK (octet_length(entry) BETWEEN 1 AND 65535),
    PRIMARY KEY (campaign_id, leaf_index)
  )`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TABLE queue_log_entries`.execute(db);
}
