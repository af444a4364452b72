import { sql, type Kysely } from 'kysely';

/**
 * A person is recorded when they first need a record, not at sign-in (issue 21): the session
 * seals the verified identity, and the first booking, dependent, leftover booking or alert, or
 * language choice writes the row.
 *
 * 1. Two sessions of one person may then record in either order, so the row keeps the instant its
 *    identity was verified (`verified_at`), and an earlier verification never replaces a later
 *    one. Null for rows written before (each verified before any session that could record).
 * 2. `persons_by_contact_hash` served no read: a priority list is matched by the contact hash the
 *    session's seal gives, or from the person's row (by its key) to the list's own primary key. Its
 *    entry was written with every person a booking records.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE persons ADD COLUMN verified_at timestamptz`.execute(db);
  await sql`DROP INDEX persons_by_contact_hash`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`CREATE INDEX persons_by_contact_hash ON persons (contact_hash)`.execute(db);
  await sql`ALTER TABLE persons DROP COLUMN verified_at`.execute(db);
}
