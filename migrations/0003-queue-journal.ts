import { sql, type Kysely } from 'kysely';

/**
 * The in-process queue store's journal (the embedded default has no Redis): every place,
 * admission and counter is written here within a refresh (250 ms) of being handed out, and loaded
 * back at start, so a restart of the node keeps every place. No personal data: person keys only.
 */
const UP = [
  `CREATE TABLE queue_places (
    campaign_id text NOT NULL,
    person_key text NOT NULL,
    position integer,
    draw text,
    PRIMARY KEY (campaign_id, person_key),
    CHECK ((position IS NULL) <> (draw IS NULL))
  )`,
  `CREATE TABLE queue_admissions (
    campaign_id text NOT NULL,
    person_key text NOT NULL,
    admission_id text NOT NULL,
    expires_at_ms bigint NOT NULL,
    PRIMARY KEY (campaign_id, person_key)
  )`,
  `CREATE TABLE queue_checkpoints (
    campaign_id text PRIMARY KEY,
    state jsonb NOT NULL,
    saved_at timestamptz NOT NULL
  )`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of UP) await sql.raw(statement).execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of ['queue_checkpoints', 'queue_admissions', 'queue_places']) await sql.raw(`DROP TABLE ${table}`).execute(db);
}
