import { sql, type Transaction } from 'kysely';
import type { Db } from '../../infra/db/database.ts';
import type { DB } from '../../infra/db/schema.ts';
import { YeyakError } from '../../errors.ts';
import type { RequestFingerprint, StoredResponse } from './idempotency.ts';

type Trx = Transaction<DB>;

/** The stored response of a completed request under this key, if any (422 if the request differs). */
export async function findIdempotentResponse(db: Db | Trx, personKey: string, key: string, request: RequestFingerprint): Promise<StoredResponse | null> {
  const prior = await db
    .selectFrom('idempotency_keys')
    .select(['request_hash', 'status_code', 'response'])
    .where('person_key', '=', personKey)
    .where('key', '=', key)
    .executeTakeFirst();
  if (!prior) return null;
  if (!request.matches(prior.request_hash)) throw new YeyakError('YEYAK_ERR_IDEMPOTENCY_MISMATCH');
  return { statusCode: prior.status_code, body: prior.response };
}

/**
 * Claims a key for this request, first thing in its transaction: false when it was claimed before.
 * It first takes the key's advisory lock, as the booking function does (migration 0020), so a
 * booking and a leftover booking with the same key never run at once. A concurrent request with
 * the same key waits until the first one ends; if the first committed, the claim fails and the
 * caller reads its stored answer; if it rolled back (only successes are stored), the claim
 * succeeds and this request runs.
 */
export async function claimIdempotencyKey(trx: Trx, personKey: string, key: string, hash: string, at: Date): Promise<boolean> {
  await sql`SELECT pg_advisory_xact_lock(idempotency_lock(${personKey}, ${key}))`.execute(trx);
  const claimed = await trx
    .insertInto('idempotency_keys')
    .values({ person_key: personKey, key, request_hash: hash, status_code: 0, response: JSON.stringify({}), created_at: at })
    .onConflict((oc) => oc.columns(['person_key', 'key']).doNothing())
    .returning('key')
    .executeTakeFirst();
  return claimed !== undefined;
}

/** Stores the successful answer under the claimed key, in the same transaction as the work. */
export async function storeIdempotentResponse(trx: Trx, personKey: string, key: string, response: StoredResponse): Promise<void> {
  await trx
    .updateTable('idempotency_keys')
    .set({ status_code: response.statusCode, response: JSON.stringify(response.body) })
    .where('person_key', '=', personKey)
    .where('key', '=', key)
    .execute();
}
