import { sql, type Kysely } from 'kysely';

/**
 * Room on each page of the capacity tables for the next version of a row (BRIEF §6: a booking may
 * cost at most two TPC-B transactions). A booking's conditional `booked = booked + 1` changes no
 * indexed column, so PostgreSQL can write the new version on the same page and leave the primary
 * key untouched (a heap-only tuple) — but only if that page has room, and tables filled to 100% have
 * none: every take then also inserted into the primary key's index, a random page of it, logged in
 * full after each checkpoint. At 80% a page of `capacity_slots` keeps room for several updates
 * between the prunings PostgreSQL does by itself on the next visit.
 *
 * The setting applies to pages written from now on: capacity is written when a campaign's slots are
 * created, so every campaign created after this migration has it. For rows already there, an
 * operator may rewrite the tables off-peak (`VACUUM FULL`, or pg_repack on a live system).
 */
const TABLES = ['capacity_slots', 'clinic_days', 'window_shares'] as const;

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const table of TABLES) await sql.raw(`ALTER TABLE ${table} SET (fillfactor = 80)`).execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of TABLES) await sql.raw(`ALTER TABLE ${table} RESET (fillfactor)`).execute(db);
}
