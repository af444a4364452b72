import type { Transaction } from 'kysely';
import type { Db } from '../../infra/db/database.ts';
import type { DB } from '../../infra/db/schema.ts';
import type { OutboxConsumer } from '../../infra/db/schema-outreach.ts';

/**
 * What the rest of the server hands the outbox. An event goes in with the change it tells of, in
 * that change's transaction, so it commits with it or not at all; the fan-out later routes it to
 * one job per consumer (`outbox-routing.ts`). The worker's own statements stay in
 * `outbox-jobs.repository.ts`.
 */
export async function recordOutboxEvent(trx: Transaction<DB>, topic: string, aggregateId: string, payload: unknown, at: Date): Promise<void> {
  await trx.insertInto('outbox').values({ topic, aggregate_id: aggregateId, payload: JSON.stringify(payload), created_at: at }).execute();
}

/** A job for one consumer that skips the fan-out: work derived from a delivered job (a leftover publication's alerts). */
interface DerivedJob {
  consumer: OutboxConsumer;
  /** Unique: a job already enqueued under it is not added again. */
  idempotencyKey: string;
  topic: string;
  aggregateId: string;
  payload: unknown;
}

/** Adds derived work straight to its consumer's jobs; a known key is a no-op. Returns how many were added. */
export async function enqueueDerivedJobs(db: Db, jobs: DerivedJob[], now: Date): Promise<number> {
  if (jobs.length === 0) return 0;
  const result = await db
    .insertInto('outbox_jobs')
    .values(jobs.map((j) => ({ consumer: j.consumer, idempotency_key: j.idempotencyKey, topic: j.topic, aggregate_id: j.aggregateId, payload: JSON.stringify(j.payload), next_attempt_at: now, created_at: now })))
    .onConflict((oc) => oc.column('idempotency_key').doNothing())
    .executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0);
}
