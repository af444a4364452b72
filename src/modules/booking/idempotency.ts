import { createHash } from 'node:crypto';
import type { Db } from '../../infra/db/database.ts';
import { YeyakError } from '../../errors.ts';

export interface StoredResponse {
  statusCode: number;
  body: unknown;
}

/** A stable hash of what a request asks for, to tell "same key, same request" from a reused key. */
export function requestHash(parts: unknown): string {
  return createHash('sha256').update(JSON.stringify(parts)).digest('base64url');
}

/** The stored response of a completed request under this key, if any (422 if the request differs). */
export async function findIdempotentResponse(db: Db, personKey: string, key: string, hash: string): Promise<StoredResponse | null> {
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
