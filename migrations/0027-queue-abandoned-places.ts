import { sql, type Kysely } from 'kysely';

/**
 * Places given up (issue 22, docs/transparency.md "Leaving the queue"):
 * - `queue_abandoned`: each position whose holder left, once (the position is never handed out or
 *   admitted again), with who left it and when. No personal data: person keys.
 * - `queue_places` keys a row by campaign, person and place instead of campaign and person: a
 *   person who left and joined again holds a new first-come place, journalled as a row of its own
 *   (the old one, abandoned, stays, as does a drawn member's draw: the round's ranks depend on it).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`CREATE TABLE queue_abandoned (
    campaign_id text NOT NULL,
    position integer NOT NULL CHECK (position > 0),
    person_key text NOT NULL,
    left_at_ms bigint NOT NULL,
    PRIMARY KEY (campaign_id, position)
  )`.execute(db);
  await sql`ALTER TABLE queue_places DROP CONSTRAINT queue_places_pkey`.execute(db);
  await sql`CREATE UNIQUE INDEX queue_places_by_person ON queue_places (campaign_id, person_key, (coalesce(position, 0)))`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP INDEX queue_places_by_person`.execute(db);
  await sql`DELETE FROM queue_places p USING queue_abandoned a WHERE p.campaign_id = a.campaign_id AND p.position = a.position`.execute(db);
  await sql`ALTER TABLE queue_places ADD PRIMARY KEY (campaign_id, person_key)`.execute(db);
  await sql`DROP TABLE queue_abandoned`.execute(db);
}
