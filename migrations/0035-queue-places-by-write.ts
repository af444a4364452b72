import { sql, type Kysely } from 'kysely';

/**
 * The queue journal keeps the places of one write as one row (issue 21: a new person's join).
 *
 * A join's answer waits for its place to be journalled, and the waiting joins share one write
 * (group commit, about 36 places a write under load). As a row and an entry of the unique index
 * per place, a write cost the embedded database's thread about 40–60 µs a place, more than the
 * join's three cryptographic operations; as one row of arrays, about 18–21 µs a place, most of it
 * the statement's own cost (PGlite, 36 places a write, `persistJournal`'s statements in a loop).
 *
 * - `queue_place_writes`: a write's places of one campaign, in parallel arrays (`person_keys`,
 *   `positions`, `draws`, `rounds`; a first-come place has a position, a pre-queue entry a draw and
 *   a round), at most 100 places a row (`PLACES_PER_ROW`): rows up to 8 kB stay in their page
 *   (`toast_tuple_target`) instead of going to TOAST.
 * - `queue_journalled_places`: the view every reader uses. It unnests the writes, adds the rows of
 *   `queue_places`, and keeps one row per (campaign, person, place) as the unique index did: the
 *   first written (a write retried after its commit was not seen repeats its places).
 *
 * `queue_places` stays, read through the view: a node of the earlier release writes there during
 * a rolling deploy. Such a node does not read `queue_place_writes`: if Redis came back empty
 * during the deploy, its recovery would miss the places that nodes of this release journalled.
 * The next release moves the rows into `queue_place_writes` and drops the table.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`CREATE TABLE queue_place_writes (
    campaign_id text NOT NULL,
    id bigserial,
    person_keys text[] NOT NULL,
    positions integer[] NOT NULL,
    draws text[] NOT NULL,
    rounds integer[] NOT NULL,
    PRIMARY KEY (campaign_id, id),
    CONSTRAINT queue_place_writes_parallel CHECK (
      cardinality(person_keys) > 0 AND cardinality(positions) = cardinality(person_keys)
      AND cardinality(draws) = cardinality(person_keys) AND cardinality(rounds) = cardinality(person_keys)
      AND array_position(person_keys, NULL) IS NULL
    ),
    -- queue_places' CHECKs, place by place: exactly one of position and draw (where one array has
    -- its NULLs the other has none), a draw with a round, a first-come place with none, rounds from 0.
    CONSTRAINT queue_place_writes_each_place CHECK (
      cardinality(array_positions(positions, NULL)) + cardinality(array_positions(draws, NULL)) = cardinality(person_keys)
      AND NOT (array_positions(positions, NULL) && array_positions(draws, NULL))
      AND array_positions(rounds, NULL) = array_positions(draws, NULL)
      AND 0 <= ALL (array_remove(rounds, NULL))
    )
  ) WITH (toast_tuple_target = 8160)`.execute(db);
  await sql`CREATE VIEW queue_journalled_places AS
    SELECT DISTINCT ON (campaign_id, person_key, coalesce(position, 0)) campaign_id, person_key, position, draw, round
    FROM (
      SELECT campaign_id, person_key, position, draw, round, 0::bigint AS write_id, 0::bigint AS ordinal FROM queue_places
      UNION ALL
      SELECT w.campaign_id, p.person_key, p.position, p.draw, p.round, w.id, p.ordinal
      FROM queue_place_writes w,
        unnest(w.person_keys, w.positions, w.draws, w.rounds) WITH ORDINALITY AS p (person_key, position, draw, round, ordinal)
    ) places
    ORDER BY campaign_id, person_key, coalesce(position, 0), write_id, ordinal`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`INSERT INTO queue_places (campaign_id, person_key, position, draw, round)
    SELECT campaign_id, person_key, position, draw, round FROM queue_journalled_places
    ON CONFLICT (campaign_id, person_key, (coalesce(position, 0))) DO NOTHING`.execute(db);
  await sql`DROP VIEW queue_journalled_places`.execute(db);
  await sql`DROP TABLE queue_place_writes`.execute(db);
}
