import { sql, type Selectable } from 'kysely';
import type { Db } from '../../infra/db/database.ts';
import type { OutboxConsumer, OutboxJobsTable } from '../../infra/db/schema-outreach.ts';
import type { OutboxJob } from './outbox-job.ts';
import { routingPairs } from './outbox-routing.ts';

function toJob(row: Selectable<OutboxJobsTable>): OutboxJob {
  return {
    id: row.id,
    consumer: row.consumer,
    idempotencyKey: row.idempotency_key,
    topic: row.topic,
    aggregateId: row.aggregate_id,
    payload: (row.payload ?? {}) as Record<string, unknown>,
    attempts: row.attempts,
    createdAt: row.created_at,
  };
}

/**
 * Moves up to `limit` outbox events into one job per consumer, and deletes them, in one statement.
 * The jobs carry the event's payload, so nothing reads the event afterwards (deleting writes less
 * than marking it processed: migration 0033). `SKIP LOCKED` lets several nodes fan out at once
 * without waiting on each other, and an event locked and deleted by one is skipped by the others;
 * the idempotency key (`<consumer>:<outbox id>`) is unique besides, so an event is never fanned out
 * twice. An event of a synthetic campaign (the probe's) goes with no job: the probe's bookings
 * travel the outbox like any other, and reach neither the registry nor a phone.
 */
export async function fanOutEvents(db: Db, now: Date, limit: number): Promise<number> {
  const routes = sql.join(routingPairs().map(([consumer, topic]) => sql`(${consumer}, ${topic})`));
  const result = await sql<{ id: number }>`
    WITH picked AS (
      SELECT id, topic, aggregate_id, payload FROM outbox
      WHERE processed_at IS NULL ORDER BY id LIMIT ${limit} FOR UPDATE SKIP LOCKED
    ), jobs AS (
      INSERT INTO outbox_jobs (consumer, idempotency_key, outbox_id, topic, aggregate_id, payload, next_attempt_at, created_at)
      SELECT r.consumer, r.consumer || ':' || p.id, p.id, p.topic, p.aggregate_id, p.payload, ${now}::timestamptz, ${now}::timestamptz
      FROM picked p JOIN (VALUES ${routes}) AS r (consumer, topic) ON r.topic = p.topic
      WHERE NOT EXISTS (SELECT 1 FROM campaigns c WHERE c.id = p.payload->>'campaignId' AND c.synthetic)
      ON CONFLICT (idempotency_key) DO NOTHING
    )
    DELETE FROM outbox WHERE id IN (SELECT id FROM picked) RETURNING id
  `.execute(db);
  return result.rows.length;
}

/**
 * Claims up to `limit` due jobs of a consumer with a lease: `FOR UPDATE SKIP LOCKED` so workers on
 * many nodes never take the same job, and the lease so a job whose worker died comes back when it
 * runs out. A job waits while an older job of the same aggregate is still pending, so a booking's
 * cancellation never overtakes its creation: it is claimed only if it is its aggregate's oldest
 * pending job, a look-up per candidate in `outbox_jobs_by_aggregate`. (Written as `NOT EXISTS` an
 * older one, the planner may make it an anti join whose inner scan reads every pending job of the
 * consumer for each candidate: on a table that grew since it was last analysed, 1.1 s and 1.26
 * million buffers a claim of 50 among 25,000 pending, against 2.5 ms and 1,338 this way.)
 */
export async function claimJobs(db: Db, consumer: OutboxConsumer, now: Date, leaseMs: number, limit: number): Promise<OutboxJob[]> {
  const leasedUntil = new Date(now.getTime() + leaseMs);
  const result = await sql<Selectable<OutboxJobsTable>>`
    UPDATE outbox_jobs SET leased_until = ${leasedUntil}::timestamptz, attempts = attempts + 1
    WHERE id IN (
      SELECT j.id FROM outbox_jobs j
      WHERE j.consumer = ${consumer} AND j.status = 'pending' AND j.next_attempt_at <= ${now}::timestamptz
        AND (j.leased_until IS NULL OR j.leased_until <= ${now}::timestamptz)
        AND j.id = (
          SELECT min(e.id) FROM outbox_jobs e
          WHERE e.consumer = j.consumer AND e.aggregate_id = j.aggregate_id AND e.status = 'pending'
        )
      ORDER BY j.next_attempt_at, j.id
      LIMIT ${limit}
      FOR UPDATE SKIP LOCKED
    )
    RETURNING *
  `.execute(db);
  return result.rows.map(toJob).sort((a, b) => a.id - b.id);
}

/** Marks delivered jobs done (only those still pending: a replayed duplicate changes nothing). */
export async function completeJobs(db: Db, ids: readonly number[], now: Date): Promise<void> {
  if (ids.length === 0) return;
  await db.updateTable('outbox_jobs').set({ status: 'done', done_at: now, leased_until: null, last_error: null }).where('id', 'in', ids).where('status', '=', 'pending').execute();
}

/** Hands claimed jobs back without counting the attempt (they were never tried). */
export async function releaseJobs(db: Db, ids: readonly number[]): Promise<void> {
  if (ids.length === 0) return;
  await db
    .updateTable('outbox_jobs')
    .set((eb) => ({ leased_until: null, attempts: eb('attempts', '-', 1) }))
    .where('id', 'in', ids)
    .where('status', '=', 'pending')
    .execute();
}

/** Records a failed attempt: back to pending at `nextAttemptAt`, or to the dead letters. */
export async function failJob(db: Db, id: number, outcome: { dead: true } | { dead: false; nextAttemptAt: number }, error: string): Promise<void> {
  await db
    .updateTable('outbox_jobs')
    .set({
      status: outcome.dead ? 'dead' : 'pending',
      leased_until: null,
      last_error: error.slice(0, 500),
      ...(outcome.dead ? {} : { next_attempt_at: new Date(outcome.nextAttemptAt) }),
    })
    .where('id', '=', id)
    .where('status', '=', 'pending')
    .execute();
}

export interface DeadLetter {
  id: string;
  consumer: OutboxConsumer;
  topic: string;
  aggregateId: string;
  idempotencyKey: string;
  attempts: number;
  lastError: string | null;
  createdAt: Date;
}

/** Dead letters, newest first, keyset-paginated on the id. Payloads stay out: they are for workers. */
export async function listDeadLetters(db: Db, consumer: OutboxConsumer | undefined, cursor: number | null, limit: number): Promise<{ items: DeadLetter[]; nextCursor: string | null }> {
  let query = db.selectFrom('outbox_jobs').selectAll().where('status', '=', 'dead').orderBy('id', 'desc').limit(limit + 1);
  if (consumer) query = query.where('consumer', '=', consumer);
  if (cursor !== null) query = query.where('id', '<', cursor);
  const rows = await query.execute();
  const page = rows.slice(0, limit);
  return {
    items: page.map((r) => ({ id: String(r.id), consumer: r.consumer, topic: r.topic, aggregateId: r.aggregate_id, idempotencyKey: r.idempotency_key, attempts: r.attempts, lastError: r.last_error, createdAt: r.created_at })),
    nextCursor: rows.length > limit ? String(page[page.length - 1]!.id) : null,
  };
}

/** Puts dead letters back in line (one by id, or every one of a consumer); returns the ids replayed. */
export async function replayDeadLetters(db: Db, filter: { id?: number; consumer?: OutboxConsumer }, now: Date): Promise<number[]> {
  let query = db.updateTable('outbox_jobs').set({ status: 'pending', attempts: 0, next_attempt_at: now, leased_until: null }).where('status', '=', 'dead');
  if (filter.id !== undefined) query = query.where('id', '=', filter.id);
  if (filter.consumer) query = query.where('consumer', '=', filter.consumer);
  const rows = await query.returning('id').execute();
  return rows.map((r) => r.id);
}

/** Counts by consumer and status, plus events not yet fanned out (for the console and metrics). */
export async function outboxCounts(db: Db): Promise<{ unrouted: number; jobs: { consumer: OutboxConsumer; status: string; count: number }[] }> {
  const unrouted = await db.selectFrom('outbox').select((eb) => eb.fn.countAll<number>().as('n')).where('processed_at', 'is', null).executeTakeFirstOrThrow();
  const jobs = await db.selectFrom('outbox_jobs').select(['consumer', 'status', (eb) => eb.fn.countAll<number>().as('count')]).groupBy(['consumer', 'status']).orderBy('consumer').orderBy('status').execute();
  return { unrouted: Number(unrouted.n), jobs: jobs.map((j) => ({ consumer: j.consumer, status: j.status, count: Number(j.count) })) };
}
