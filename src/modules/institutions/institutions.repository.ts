import { sql, type Transaction } from 'kysely';
import type { DB } from '../../infra/db/schema.ts';
import type { Db } from '../../infra/db/database.ts';
import type { Institution } from './institution.ts';

const BATCH = 1000;

/**
 * Inserts or updates institutions by id, in batches, inside one transaction (all or nothing);
 * `alsoInTransaction` (e.g. the audit entry) commits with them.
 */
export async function upsertInstitutions(db: Db, institutions: Institution[], alsoInTransaction?: (trx: Transaction<DB>) => Promise<void>): Promise<number> {
  await db.transaction().execute(async (trx) => {
    for (let i = 0; i < institutions.length; i += BATCH) {
      await trx
        .insertInto('institutions')
        .values(institutions.slice(i, i + BATCH))
        .onConflict((oc) =>
          oc.column('id').doUpdateSet({
            name: sql`excluded.name`,
            address: sql`excluded.address`,
            sido: sql`excluded.sido`,
            sigungu: sql`excluded.sigungu`,
            lat: sql`excluded.lat`,
            lng: sql`excluded.lng`,
            updated_at: sql`now()`,
          }),
        )
        .execute();
    }
    await alsoInTransaction?.(trx);
  });
  return institutions.length;
}

/** The ids among `ids` that exist. */
export async function existingInstitutionIds(db: Db, ids: string[]): Promise<Set<string>> {
  const found = new Set<string>();
  for (let i = 0; i < ids.length; i += BATCH) {
    const rows = await db.selectFrom('institutions').select('id').where('id', 'in', ids.slice(i, i + BATCH)).execute();
    for (const row of rows) found.add(row.id);
  }
  return found;
}

/** Names and addresses of the given clinics (public facts; no availability), in id order. */
export async function institutionDirectory(db: Db, ids: string[]): Promise<Pick<Institution, 'id' | 'name' | 'address' | 'sido' | 'sigungu'>[]> {
  if (ids.length === 0) return [];
  return db.selectFrom('institutions').select(['id', 'name', 'address', 'sido', 'sigungu']).where('id', 'in', ids).orderBy('id').execute();
}
