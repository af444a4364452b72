import { randomBytes } from 'node:crypto';
import type { EnvelopeCrypto } from '../../lib/envelope-crypto.ts';
import type { Db } from './database.ts';

/**
 * Gives `crypto` a new data key to seal personal data under: made here, stored wrapped by the
 * active key-encryption key in `data_keys` (migration 0032), and only then used, so no value is
 * ever sealed under a key the database does not hold. Each process makes its own as it starts;
 * `crypto.decryptStored` loads the others' from the same table. Returns the key's id.
 */
export async function startDataKey(db: Db, crypto: EnvelopeCrypto, now: Date): Promise<string> {
  const id = randomBytes(6).toString('base64url');
  const { wrapped, key } = crypto.newDataKey(id);
  await db.insertInto('data_keys').values({ id, wrapped, created_at: now }).execute();
  crypto.useDataKey(id, key);
  crypto.loadDataKeysFrom((wanted) => wrappedDataKey(db, wanted));
  return id;
}

/** A stored data key's wrapped form, or null if no such key is stored. */
export async function wrappedDataKey(db: Db, id: string): Promise<string | null> {
  const row = await db.selectFrom('data_keys').select('wrapped').where('id', '=', id).executeTakeFirst();
  return row?.wrapped ?? null;
}
