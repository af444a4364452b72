import { sql, type Kysely } from 'kysely';

/**
 * Synthetic citizens for the probe (BRIEF §4.8). A synthetic person is registered by an operator
 * and signs in only with the probe credential; a synthetic campaign is the probe's own, with its own
 * clinic and capacity. Neither is ever shown to the public, counted in a real campaign or reported
 * to the registry or the message gateway, and a synthetic person can never take a citizen's dose.
 * Both columns default to false, so adding them rewrites no row.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE persons ADD COLUMN synthetic boolean NOT NULL DEFAULT false`.execute(db);
  await sql`ALTER TABLE campaigns ADD COLUMN synthetic boolean NOT NULL DEFAULT false`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE campaigns DROP COLUMN synthetic`.execute(db);
  await sql`ALTER TABLE persons DROP COLUMN synthetic`.execute(db);
}
