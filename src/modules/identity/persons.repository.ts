import { sql } from 'kysely';
import type { Db } from '../../infra/db/database.ts';

export interface PersonRecord {
  personKey: string;
  birthDate: string;
  maskedName: string;
  /** A probe's synthetic person (migration 0019); absent means a citizen. */
  synthetic?: boolean;
}

/** Records a verified person (idempotent: a second verification keeps the first record). */
export async function upsertPerson(db: Db, person: PersonRecord): Promise<void> {
  await db
    .insertInto('persons')
    .values({ person_key: person.personKey, birth_date: person.birthDate, masked_name: person.maskedName })
    .onConflict((oc) => oc.column('person_key').doNothing())
    .execute();
}

export async function findPerson(db: Db, personKey: string): Promise<PersonRecord | undefined> {
  const row = await db
    .selectFrom('persons')
    .select(['person_key', 'birth_date', 'masked_name', 'synthetic'])
    .where('person_key', '=', personKey)
    .executeTakeFirst();
  return row && { personKey: row.person_key, birthDate: row.birth_date, maskedName: row.masked_name, ...(row.synthetic ? { synthetic: true } : {}) };
}

/** A verified person's record as sign-in writes it: name and phone encrypted, the contact hash for priority lists. */
export interface VerifiedPersonRow {
  personKey: string;
  birthDate: string;
  maskedName: string;
  nameEnc: string;
  phoneEnc: string;
  contactHash: string;
}

/**
 * Records verified persons, or refreshes a record whose name, birth date or phone changed (the
 * contact hash covers all three), in one statement for the batch. Signing in again unchanged — a
 * second device, a new session — writes nothing: no new row version, no lock, no commit to flush
 * (the encrypted fields differ on every call, so an unconditional upsert rewrote the row each
 * time). One row per person key, in key order, so two nodes' batches lock rows in the same order.
 */
export async function recordVerifiedPersons(db: Db, rows: readonly VerifiedPersonRow[]): Promise<void> {
  const latest = [...new Map(rows.map((r) => [r.personKey, r])).values()].sort((a, b) => (a.personKey < b.personKey ? -1 : 1));
  if (latest.length === 0) return;
  const column = <K extends keyof VerifiedPersonRow>(key: K) => latest.map((r) => r[key]);
  await sql`
    INSERT INTO persons (person_key, birth_date, masked_name, name_enc, phone_enc, contact_hash)
    SELECT v.person_key, v.birth_date::date, v.masked_name, v.name_enc, v.phone_enc, v.contact_hash
    FROM unnest(${column('personKey')}::text[], ${column('birthDate')}::text[], ${column('maskedName')}::text[],
                ${column('nameEnc')}::text[], ${column('phoneEnc')}::text[], ${column('contactHash')}::text[])
      AS v (person_key, birth_date, masked_name, name_enc, phone_enc, contact_hash)
    WHERE NOT EXISTS (
      SELECT 1 FROM persons p
      WHERE p.person_key = v.person_key AND p.contact_hash = v.contact_hash AND p.birth_date = v.birth_date::date AND p.masked_name = v.masked_name
    )
    ORDER BY v.person_key
    ON CONFLICT (person_key) DO UPDATE SET
      birth_date = excluded.birth_date, masked_name = excluded.masked_name, name_enc = excluded.name_enc,
      phone_enc = excluded.phone_enc, contact_hash = excluded.contact_hash
  `.execute(db);
}
