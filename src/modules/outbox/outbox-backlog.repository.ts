import { sql } from 'kysely';
import type { Db } from '../../infra/db/database.ts';

/** Outbox work not done yet at one stage: events not routed (`fan-out`), or a consumer's pending jobs. */
export interface OutboxBacklog {
  stage: 'fan-out' | 'registry' | 'messages';
  pending: number;
  /** Age of the oldest, in seconds at `now`; 0 when there is none. */
  oldestSeconds: number;
}

/**
 * The outbox's backlog per stage, for the backlog alert: one statement over the partial indexes of
 * unrouted events (`outbox_pending`) and pending jobs (`outbox_jobs_due`), which hold only the work
 * not done yet.
 */
export async function outboxBacklog(db: Db, now: Date): Promise<OutboxBacklog[]> {
  const result = await sql<{ stage: string; pending: number; oldest: Date | null }>`
    SELECT 'fan-out' AS stage, count(*)::int AS pending, min(created_at) AS oldest FROM outbox WHERE processed_at IS NULL
    UNION ALL
    SELECT consumer, count(*)::int, min(created_at) FROM outbox_jobs WHERE status = 'pending' GROUP BY consumer`.execute(db);
  const byStage = new Map(result.rows.map((r) => [r.stage, r]));
  return (['fan-out', 'registry', 'messages'] as const).map((stage) => {
    const row = byStage.get(stage);
    const oldest = row?.oldest ? new Date(row.oldest).getTime() : null;
    return { stage, pending: row?.pending ?? 0, oldestSeconds: oldest === null ? 0 : Math.max(0, (now.getTime() - oldest) / 1000) };
  });
}
