import { sql } from 'kysely';
import type { EnvelopeCrypto } from '../../lib/envelope-crypto.ts';
import type { Db } from './database.ts';

/** What `rewrapUnderActiveKek` wrapped again, by where it was stored. */
export interface RewrapCounts {
  /** `data_keys` rows: every `d1` value sealed under them follows without being touched. */
  dataKeys: number;
  /** Phones sealed before migration 0032 (`v1`, each with its own data key beside it). */
  phones: number;
  /** Mobile sign-in challenges' claimed identities sealed as `v1`. */
  challenges: number;
}

/** Rows read and written per statement. */
const BATCH = 500;

/**
 * Wraps every stored data key again under the active key-encryption key (the first of
 * `YEYAK_ENCRYPTION_KEYS`), so that an older KEK can then leave the configuration: the `data_keys`
 * rows, and the `v1` values that carry their own wrapped data key (phones sealed before migration
 * 0032, mobile challenges). The data keys themselves, and every value's sealed body, stay as they
 * are. Each row is replaced only if it still holds what was read (a compare-and-set), so it runs
 * beside live nodes on PostgreSQL, and a second run finds nothing left to do.
 */
export async function rewrapUnderActiveKek(db: Db, crypto: EnvelopeCrypto): Promise<RewrapCounts> {
  const stale = `${crypto.activeKid}.%`;
  const dataKeys = await db.selectFrom('data_keys').select(['id', 'wrapped']).where('wrapped', 'not like', stale).execute();
  let rewrapped = 0;
  for (const k of dataKeys) {
    const wrapped = crypto.rewrapDataKey(k.id, k.wrapped);
    if (wrapped === null) continue;
    const result = await db.updateTable('data_keys').set({ wrapped }).where('id', '=', k.id).where('wrapped', '=', k.wrapped).executeTakeFirst();
    rewrapped += Number(result.numUpdatedRows);
  }
  return {
    dataKeys: rewrapped,
    phones: await rewrapColumn(db, crypto, 'persons', 'person_key', 'phone_enc', (key) => `persons.phone:${key}`),
    challenges: await rewrapColumn(db, crypto, 'otp_challenges', 'id', 'identity_enc', (id) => `otp:${id}`),
  };
}

/** The `v1` values of one column under another KEK, wrapped again batch by batch in key order. */
async function rewrapColumn(db: Db, crypto: EnvelopeCrypto, table: string, key: string, column: string, context: (key: string) => string): Promise<number> {
  const [t, k, c] = [sql.table(table), sql.ref(key), sql.ref(column)];
  let after: string | null = null;
  let count = 0;
  for (;;) {
    const { rows } = await sql<{ key: string; sealed: string }>`
      SELECT ${k} AS key, ${c} AS sealed FROM ${t}
      WHERE ${c} LIKE 'v1.%' AND split_part(${c}, '.', 2) <> ${crypto.activeKid} ${after === null ? sql`` : sql`AND ${k} > ${after}`}
      ORDER BY ${k} LIMIT ${BATCH}`.execute(db);
    if (rows.length === 0) return count;
    after = rows[rows.length - 1]!.key;
    const changed = rows.flatMap((r) => {
      const sealed = crypto.rewrapSealed(r.sealed, context(r.key));
      return sealed === null ? [] : [{ key: r.key, old: r.sealed, sealed }];
    });
    if (changed.length === 0) continue;
    const result = await sql`
      UPDATE ${t} SET ${c} = n.sealed
      FROM unnest(${changed.map((r) => r.key)}::text[], ${changed.map((r) => r.old)}::text[], ${changed.map((r) => r.sealed)}::text[]) AS n (key, old, sealed)
      WHERE ${t}.${k}::text = n.key AND ${t}.${c} = n.old`.execute(db);
    count += Number(result.numAffectedRows ?? 0);
  }
}
