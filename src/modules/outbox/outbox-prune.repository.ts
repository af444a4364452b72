import { sql } from 'kysely';
import type { Db } from '../../infra/db/database.ts';

/** Where a pruning run stands: the last done job deleted, in the order the batches take them. */
export interface PruneCursor {
  doneAt: Date;
  id: number;
}

export interface PruneBatch {
  /** `done` jobs deleted. */
  jobs: number;
  /** Outbox events deleted because their last job went. */
  events: number;
  /** Resume after this job next batch; null when the batch deleted nothing. */
  cursor: PruneCursor | null;
}

/**
 * Deletes up to `limit` `done` jobs finished before `cutoff`, oldest first and after `after`, and —
 * in the same statement, so no crash leaves an event behind — every event whose last job they were.
 *
 * - The batch walks the partial index `outbox_jobs_done_by_age` (migration 0014) from `after`, so
 *   each batch reads only the rows it deletes, never the dead index entries of earlier batches.
 * - Dead and pending jobs are never selected; an event keeps while any job of it remains (dead,
 *   pending, or done too recently). `processed_at < cutoff` also keeps an event not yet fanned out.
 * - All parts of one statement see one snapshot, in which the jobs deleted here still exist: an
 *   event is free when every job of it in that snapshot is among those deleted (equal counts).
 * - `id = ANY(ARRAY(…))` runs each list once and then walks a primary key; as `IN (…)` the planner
 *   may hash-join it against a full scan of the table instead (seen on PostgreSQL 15).
 * - `SKIP LOCKED`: a second node pruning at the same time takes other rows instead of waiting.
 *
 * Returns the events that kept only because some other job existed in this statement's snapshot:
 * `recheckEvents` settles them once a node pruning the same event's other job has committed.
 */
export async function pruneDoneJobs(db: Db, cutoff: Date, after: PruneCursor | null, limit: number): Promise<PruneBatch & { recheck: number[] }> {
  const result = await pruneBatchStatement(cutoff, after, limit).execute(db);
  const row = result.rows[0]!;
  const cursor = row.last_done_at && row.last_id !== null ? { doneAt: new Date(row.last_done_at), id: Number(row.last_id) } : null;
  return { jobs: Number(row.jobs), events: Number(row.events), cursor, recheck: (row.recheck ?? []).map(Number) };
}

/** The statement of one batch (`scripts/explain-outbox-prune.ts` shows its plan on PostgreSQL). */
export function pruneBatchStatement(cutoff: Date, after: PruneCursor | null, limit: number) {
  const resume = after ? sql`AND (done_at, id) > (${after.doneAt}::timestamptz, ${after.id}::bigint)` : sql``;
  return sql<{ jobs: number; events: number; last_done_at: Date | null; last_id: number | string | null; recheck: (number | string)[] | null }>`
    WITH gone AS (
      DELETE FROM outbox_jobs WHERE id = ANY(ARRAY(
        SELECT id FROM outbox_jobs
        WHERE status = 'done' AND done_at < ${cutoff}::timestamptz ${resume}
        ORDER BY done_at, id
        LIMIT ${limit}
        FOR UPDATE SKIP LOCKED
      ))
      RETURNING id, outbox_id, done_at
    ), gone_by_event AS (
      SELECT outbox_id, count(*) AS n FROM gone WHERE outbox_id IS NOT NULL GROUP BY outbox_id
    ), freed AS (
      DELETE FROM outbox o
      WHERE o.id = ANY(ARRAY(
          SELECT g.outbox_id FROM gone_by_event g
          WHERE (SELECT count(*) FROM outbox_jobs j WHERE j.outbox_id = g.outbox_id) = g.n
        ))
        AND o.processed_at < ${cutoff}::timestamptz
      RETURNING o.id
    ), last AS (
      SELECT done_at, id FROM gone ORDER BY done_at DESC, id DESC LIMIT 1
    )
    SELECT (SELECT count(*) FROM gone)::int AS jobs,
      (SELECT count(*) FROM freed)::int AS events,
      (SELECT done_at FROM last) AS last_done_at,
      (SELECT id FROM last) AS last_id,
      ARRAY(SELECT outbox_id FROM gone WHERE outbox_id IS NOT NULL EXCEPT SELECT id FROM freed) AS recheck
  `;
}

/**
 * Deletes those of `eventIds` that have no job left and were fanned out before `cutoff`. A separate
 * statement sees every job deletion committed before it, so when two nodes delete an event's last
 * two jobs at once (each seeing the other's still there), the later of their rechecks frees it.
 */
export async function recheckEvents(db: Db, eventIds: number[], cutoff: Date): Promise<number> {
  if (eventIds.length === 0) return 0;
  return (await recheckStatement(eventIds, cutoff).execute(db)).rows.length;
}

/** The statement of `recheckEvents`, for a non-empty `eventIds`. */
export function recheckStatement(eventIds: number[], cutoff: Date) {
  return sql<{ id: number }>`
    DELETE FROM outbox o
    WHERE o.id IN (${sql.join(eventIds)})
      AND o.processed_at < ${cutoff}::timestamptz
      AND NOT EXISTS (SELECT 1 FROM outbox_jobs j WHERE j.outbox_id = o.id)
    RETURNING o.id
  `;
}
