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
  /** Resume after this job next batch; null when the batch deleted nothing. */
  cursor: PruneCursor | null;
}

/**
 * Deletes up to `limit` `done` jobs finished before `cutoff`, oldest first and after `after`.
 *
 * - The batch walks the partial index `outbox_jobs_done_by_age` (migration 0014) from `after`, so
 *   each batch reads only the rows it deletes, never the dead index entries of earlier batches.
 * - Dead and pending jobs are never selected.
 * - `id = ANY(ARRAY(…))` runs the list once and then walks the primary key; as `IN (…)` the planner
 *   may hash-join it against a full scan of the table instead (seen on PostgreSQL 15).
 * - `SKIP LOCKED`: a second node pruning at the same time takes other rows instead of waiting.
 */
export async function pruneDoneJobs(db: Db, cutoff: Date, after: PruneCursor | null, limit: number): Promise<PruneBatch> {
  const row = (await pruneBatchStatement(cutoff, after, limit).execute(db)).rows[0]!;
  const cursor = row.last_done_at && row.last_id !== null ? { doneAt: new Date(row.last_done_at), id: Number(row.last_id) } : null;
  return { jobs: Number(row.jobs), cursor };
}

/** The statement of one batch (`scripts/explain-outbox-prune.ts` shows its plan on PostgreSQL). */
export function pruneBatchStatement(cutoff: Date, after: PruneCursor | null, limit: number) {
  const resume = after ? sql`AND (done_at, id) > (${after.doneAt}::timestamptz, ${after.id}::bigint)` : sql``;
  return sql<{ jobs: number; last_done_at: Date | null; last_id: number | string | null }>`
    WITH gone AS (
      DELETE FROM outbox_jobs WHERE id = ANY(ARRAY(
        SELECT id FROM outbox_jobs
        WHERE status = 'done' AND done_at < ${cutoff}::timestamptz ${resume}
        ORDER BY done_at, id
        LIMIT ${limit}
        FOR UPDATE SKIP LOCKED
      ))
      RETURNING id, done_at
    ), last AS (
      SELECT done_at, id FROM gone ORDER BY done_at DESC, id DESC LIMIT 1
    )
    SELECT (SELECT count(*) FROM gone)::int AS jobs, (SELECT done_at FROM last) AS last_done_at, (SELECT id FROM last) AS last_id
  `;
}

/**
 * Deletes up to `limit` events already fanned out: since migration 0033 the fan-out deletes the
 * events it routes, but a node of the earlier release marks them processed instead (during a
 * rolling deploy). Their jobs carry their payloads, so they go at once.
 */
export async function pruneFannedOutEvents(db: Db, limit: number): Promise<number> {
  const result = await sql<{ id: number }>`
    DELETE FROM outbox WHERE id = ANY(ARRAY(
      SELECT id FROM outbox WHERE processed_at IS NOT NULL LIMIT ${limit} FOR UPDATE SKIP LOCKED
    ))
    RETURNING id
  `.execute(db);
  return result.rows.length;
}
