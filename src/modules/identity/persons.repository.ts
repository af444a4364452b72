import type { Db } from '../../infra/db/database.ts';

export interface PersonRecord {
  personKey: string;
  birthDate: string;
  maskedName: string;
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
    .select(['person_key', 'birth_date', 'masked_name'])
    .where('person_key', '=', personKey)
    .executeTakeFirst();
  return row && { personKey: row.person_key, birthDate: row.birth_date, maskedName: row.masked_name };
}
