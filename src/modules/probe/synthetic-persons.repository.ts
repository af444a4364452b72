import { sql, type Transaction } from 'kysely';
import type { Db } from '../../infra/db/database.ts';
import type { DB } from '../../infra/db/schema.ts';
import type { PersonRecord } from '../identity/index.ts';

/** A synthetic person as an operator registers it: a label (not personal data) and a birth date. */
export interface SyntheticPersonRow {
  personKey: string;
  label: string;
  birthDate: string;
}

/**
 * Registers synthetic persons, or moves a registered one's birth date. The label is their display
 * name. A row that is a citizen's is never touched (`WHERE persons.synthetic`): the keys live in
 * their own HMAC domain (`syntheticPersonKeyOf`), so that cannot happen, and would not matter if it did.
 */
export async function upsertSyntheticPersons(trx: Transaction<DB>, rows: SyntheticPersonRow[]): Promise<number> {
  if (rows.length === 0) return 0;
  const values = sql.join(rows.map((r) => sql`(${r.personKey}, ${r.birthDate}::date, ${r.label}, true)`));
  const result = await sql`
    INSERT INTO persons (person_key, birth_date, masked_name, synthetic) VALUES ${values}
    ON CONFLICT (person_key) DO UPDATE SET birth_date = excluded.birth_date, masked_name = excluded.masked_name
    WHERE persons.synthetic`.execute(trx);
  return Number(result.numAffectedRows ?? 0);
}

/** The synthetic person with this key, or undefined (no such person, or a citizen). */
export async function findSyntheticPerson(db: Db, personKey: string): Promise<PersonRecord | undefined> {
  const row = await db
    .selectFrom('persons')
    .select(['person_key', 'birth_date', 'masked_name'])
    .where('person_key', '=', personKey)
    .where('synthetic', '=', true)
    .executeTakeFirst();
  return row && { personKey: row.person_key, birthDate: row.birth_date, maskedName: row.masked_name, synthetic: true };
}

/** Every synthetic person, by label. */
export async function listSyntheticPersons(db: Db): Promise<{ label: string; birthDate: string }[]> {
  const rows = await db.selectFrom('persons').select(['masked_name', 'birth_date']).where('synthetic', '=', true).orderBy('masked_name').execute();
  return rows.map((r) => ({ label: r.masked_name, birthDate: r.birth_date }));
}
