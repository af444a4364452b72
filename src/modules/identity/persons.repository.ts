import { sql, type RawBuilder } from 'kysely';
import type { Db } from '../../infra/db/database.ts';
import type { PersonRecord, VerifiedPersonRow } from './person.ts';

export async function findPerson(db: Db, personKey: string): Promise<PersonRecord | undefined> {
  const row = await db
    .selectFrom('persons')
    .select(['person_key', 'birth_date', 'masked_name', 'synthetic'])
    .where('person_key', '=', personKey)
    .executeTakeFirst();
  return row && { personKey: row.person_key, birthDate: row.birth_date, maskedName: row.masked_name, ...(row.synthetic ? { synthetic: true } : {}) };
}

/** The masked names of the persons among these keys that have a record, by key (one read). */
export async function findMaskedNames(db: Db, personKeys: readonly string[]): Promise<Map<string, string>> {
  if (personKeys.length === 0) return new Map();
  const rows = await db
    .selectFrom('persons')
    .select(['person_key', 'masked_name'])
    .where('person_key', '=', (eb) => eb.fn.any(eb.val([...personKeys])))
    .execute();
  return new Map(rows.map((r) => [r.person_key, r.masked_name]));
}

/** What a person's record says of who they are: enough to tell whether a verification changed it. */
export interface RecordedIdentity {
  birthDate: string;
  maskedName: string;
  contactHash: string | null;
}

/** The records of these persons that exist, by person key (one read for a batch of sign-ins). */
export async function recordedIdentities(db: Db, personKeys: readonly string[]): Promise<Map<string, RecordedIdentity>> {
  if (personKeys.length === 0) return new Map();
  const rows = await db
    .selectFrom('persons')
    .select(['person_key', 'birth_date', 'masked_name', 'contact_hash'])
    .where('person_key', '=', (eb) => eb.fn.any(eb.val([...personKeys])))
    .execute();
  return new Map(rows.map((r) => [r.person_key, { birthDate: r.birth_date, maskedName: r.masked_name, contactHash: r.contact_hash }]));
}

/**
 * Records the verified persons of `source` (rows of `person_key, birth_date, masked_name, phone_enc,
 * contact_hash, verified_at`, as text), or refreshes a record whose name, birth date or phone
 * changed (the contact hash covers all three) to a later verification. The full name is not
 * written, and a refresh clears one that an earlier release stored (`name_enc`). Recording a person
 * again unchanged — a second booking, a second device's session — writes nothing: no new row
 * version, no lock, no commit to flush (the encrypted fields differ on every call, so an
 * unconditional upsert rewrote the row each time). In key order, so two nodes' batches lock rows
 * in the same order.
 */
function recordFrom(source: RawBuilder<unknown>) {
  return sql`
    INSERT INTO persons (person_key, birth_date, masked_name, phone_enc, contact_hash, verified_at)
    SELECT v.person_key, v.birth_date::date, v.masked_name, v.phone_enc, v.contact_hash, v.verified_at::timestamptz
    FROM ${source} AS v (person_key, birth_date, masked_name, phone_enc, contact_hash, verified_at)
    WHERE v.person_key IS NOT NULL AND NOT EXISTS (
      SELECT 1 FROM persons p
      WHERE p.person_key = v.person_key AND p.contact_hash = v.contact_hash AND p.birth_date = v.birth_date::date AND p.masked_name = v.masked_name
    )
    ORDER BY v.person_key
    ON CONFLICT (person_key) DO UPDATE SET
      birth_date = excluded.birth_date, masked_name = excluded.masked_name, name_enc = NULL,
      phone_enc = excluded.phone_enc, contact_hash = excluded.contact_hash, verified_at = excluded.verified_at
    WHERE persons.verified_at IS NULL OR persons.verified_at <= excluded.verified_at
  `;
}

/** A batch's statement (`recordFrom`): one row per person key, the arrays of every column. */
function recordVerifiedPersonsQuery(rows: readonly VerifiedPersonRow[]) {
  const latest = [...new Map(rows.map((r) => [r.personKey, r])).values()].sort((a, b) => (a.personKey < b.personKey ? -1 : 1));
  const column = <K extends Exclude<keyof VerifiedPersonRow, 'verifiedAt'>>(key: K) => latest.map((r) => r[key]);
  const verifiedAt = latest.map((r) => r.verifiedAt.toISOString());
  return recordFrom(sql`unnest(${column('personKey')}::text[], ${column('birthDate')}::text[], ${column('maskedName')}::text[],
    ${column('phoneEnc')}::text[], ${column('contactHash')}::text[], ${verifiedAt}::text[])`);
}

/**
 * One person's statement (`recordFrom`), or one that records nobody for null — the same text
 * either way, so it can be part of a prepared statement: the booking's (`insertBookingWithDoses`),
 * which records the person in the booking's own transaction.
 */
export function recordVerifiedPersonQuery(row: VerifiedPersonRow | null) {
  return recordFrom(sql`(SELECT ${row?.personKey ?? null}::text, ${row?.birthDate ?? null}::text, ${row?.maskedName ?? null}::text,
    ${row?.phoneEnc ?? null}::text, ${row?.contactHash ?? null}::text, ${row?.verifiedAt.toISOString() ?? null}::text)`);
}

/** Records verified persons in one statement (see `recordVerifiedPersonsQuery`). */
export async function recordVerifiedPersons(db: Db, rows: readonly VerifiedPersonRow[]): Promise<void> {
  if (rows.length > 0) await recordVerifiedPersonsQuery(rows).execute(db);
}
