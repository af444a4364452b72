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
 * Records a verified person, or refreshes their record when their name, birth date or phone
 * changed (the contact hash covers all three). Signing in again unchanged — a second device, a
 * new session — writes nothing: no new row version, no lock, no commit to flush (the encrypted
 * fields differ on every call, so an unconditional upsert rewrote the row each time).
 */
export async function recordVerifiedPerson(db: Db, p: VerifiedPersonRow): Promise<void> {
  await sql`
    INSERT INTO persons (person_key, birth_date, masked_name, name_enc, phone_enc, contact_hash)
    SELECT ${p.personKey}, ${p.birthDate}::date, ${p.maskedName}, ${p.nameEnc}, ${p.phoneEnc}, ${p.contactHash}
    WHERE NOT EXISTS (
      SELECT 1 FROM persons
      WHERE person_key = ${p.personKey} AND contact_hash = ${p.contactHash} AND birth_date = ${p.birthDate}::date AND masked_name = ${p.maskedName}
    )
    ON CONFLICT (person_key) DO UPDATE SET
      birth_date = excluded.birth_date, masked_name = excluded.masked_name, name_enc = excluded.name_enc,
      phone_enc = excluded.phone_enc, contact_hash = excluded.contact_hash
  `.execute(db);
}
