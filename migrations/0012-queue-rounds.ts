import { sql, type Kysely } from 'kysely';

/**
 * Pre-queues for every opening of a rotation (rounds): a journalled pre-queue entry says which
 * round it waits in. Entries written before rounds existed waited for the one opening, round 0.
 */
const UP = [
  `ALTER TABLE queue_places ADD COLUMN round integer`,
  `UPDATE queue_places SET round = 0 WHERE draw IS NOT NULL`,
  // A pre-queue entry (a draw) has a round; a first-come place has none.
  `ALTER TABLE queue_places ADD CONSTRAINT queue_places_round CHECK ((round IS NULL) = (draw IS NULL) AND (round IS NULL OR round >= 0))`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of UP) await sql.raw(statement).execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql.raw('ALTER TABLE queue_places DROP COLUMN round').execute(db);
}
