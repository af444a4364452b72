import type { Transaction } from 'kysely';
import type { Db } from '../../infra/db/database.ts';
import type { DB } from '../../infra/db/schema.ts';
import { claimIdempotencyKey, findIdempotentResponse, storeIdempotentResponse } from './idempotency.repository.ts';
import { requestFingerprint, type StoredResponse } from './idempotency.ts';

/** A request under an Idempotency-Key (API.md), for work that runs in a transaction of its own. */
export interface IdempotentRequest {
  /** The stored answer of an earlier success under the key, if any (422 if the key came with another request); null without a key. */
  replay(db: Db): Promise<StoredResponse | null>;
  /**
   * Runs `work` in the caller's transaction, the key claimed first thing in it: a concurrent twin
   * waits for the first, then answers with what the first stored. The answer is stored under the
   * key with the work, so only successes are kept.
   */
  once(trx: Transaction<DB>, work: () => Promise<StoredResponse>): Promise<StoredResponse>;
}

/**
 * Answers a request once per Idempotency-Key, as the campaign booking does in its one statement
 * (the leftover booking uses it): `parts` are what the request asks for (`requestFingerprint`),
 * `at` when the key is claimed. Without a key the work simply runs.
 */
export function idempotentRequest(personKey: string, key: string | undefined, parts: unknown, at: Date): IdempotentRequest {
  const request = requestFingerprint(parts);
  return {
    replay: async (db) => (key ? findIdempotentResponse(db, personKey, key, request) : null),
    async once(trx, work) {
      if (key && !(await claimIdempotencyKey(trx, personKey, key, request.hash, at))) {
        const prior = await findIdempotentResponse(trx, personKey, key, request);
        if (prior) return prior;
      }
      const answer = await work();
      if (key) await storeIdempotentResponse(trx, personKey, key, answer);
      return answer;
    },
  };
}
