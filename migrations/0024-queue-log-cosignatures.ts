import { sql, type Kysely } from 'kysely';

/**
 * Witnesses' cosignatures of the queue logs' checkpoints (issue 22, docs/transparency.md
 * "Witnesses"): per campaign, witness and tree size, the cosignature line (C2SP tlog-cosignature)
 * and the root it cosigned. Served with the checkpoint, so that a log showing two histories would
 * need a witness to cosign both.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`CREATE TABLE queue_log_cosignatures (
    campaign_id text NOT NULL,
    witness text NOT NULL,
    tree_size integer NOT NULL CHECK (tree_size >= 0),
    root text NOT NULL,
    line text NOT NULL CHECK (octet_length(line) BETWEEN 1 AND 1024),
    PRIMARY KEY (campaign_id, witness, tree_size)
  )`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TABLE queue_log_cosignatures`.execute(db);
}
