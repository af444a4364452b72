import { createHash } from 'node:crypto';
import type { Transaction } from 'kysely';
import type { Db } from '../../infra/db/database.ts';
import type { DB } from '../../infra/db/schema.ts';
import { YeyakError } from '../../errors.ts';

type Trx = Transaction<DB>;

export interface StoredResponse {
  statusCode: number;
  body: unknown;
}

/** A stable hash of what a request asks for, to tell "same key, same request" from a reused key. */
export function requestHash(parts: unknown): string {
  return createHash('sha256').update(JSON.stringify(parts)).digest('base64url');
}

/**
 * Claims an Idempotency-Key for a person inside the booking transaction. A concurrent request with
 * the same key blocks on the primary key until this transaction ends; if it committed, the claim
 * finds the stored response (returned as is), and a different request under the key is a 422.
 * Only successes are stored: a failed attempt rolls its claim back, so a retry does the work again.
 */
export async function claimIdempotencyKey(trx: Trx, personKey: string, key: string, hash: string, now: Date): Promise<StoredResponse | null> {
  const claimed = await trx
    .insertInto('idempotency_keys')
    .values({ person_key: personKey, key, request_hash: hash, status_code: 0, response: '{}', created_at: now })
    .onConflict((oc) => oc.columns(['person_key', 'key']).doNothing())
    .returning('key')
    .executeTakeFirst();
  if (claimed) return null;
  // The claim conflicted, so the key's row is there (committed by the transaction we waited for).
  const prior = await findIdempotentResponse(trx, personKey, key, hash);
  if (!prior) throw new Error('idempotency key vanished after a conflict');
  return prior;
}

/** Stores the response of the claimed key, in the same transaction as the work it describes. */
export async function storeIdempotentResponse(trx: Trx, personKey: string, key: string, response: StoredResponse): Promise<void> {
  await trx
    .updateTable('idempotency_keys')
    .set({ status_code: response.statusCode, response: JSON.stringify(response.body) })
    .where('person_key', '=', personKey)
    .where('key', '=', key)
    .execute();
}

/** The stored response of a completed request under this key, if any (422 if the request differs). */
export async function findIdempotentResponse(db: Db | Trx, personKey: string, key: string, hash: string): Promise<StoredResponse | null> {
  const prior = await db
    .selectFrom('idempotency_keys')
    .select(['request_hash', 'status_code', 'response'])
    .where('person_key', '=', personKey)
    .where('key', '=', key)
    .executeTakeFirst();
  if (!prior) return null;
  if (prior.request_hash !== hash) throw new YeyakError('YEYAK_ERR_IDEMPOTENCY_MISMATCH');
  return { statusCode: prior.status_code, body: prior.response };
}
