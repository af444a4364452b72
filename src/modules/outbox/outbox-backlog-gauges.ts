import type { Ctx } from '../../context.ts';
import { outboxBacklog } from './outbox-backlog.repository.ts';

/**
 * Reads the outbox's backlog per stage into the gauges the backlog alert watches: work not done
 * yet (`yeyak_outbox_pending`) and the age of its oldest (`yeyak_outbox_oldest_pending_seconds`).
 */
export async function measureOutboxBacklog(ctx: Pick<Ctx, 'clock' | 'db' | 'metrics'>): Promise<void> {
  for (const b of await outboxBacklog(ctx.db, ctx.clock.now())) {
    ctx.metrics.outboxPending.set({ stage: b.stage }, b.pending);
    ctx.metrics.outboxOldestPending.set({ stage: b.stage }, b.oldestSeconds);
  }
}
