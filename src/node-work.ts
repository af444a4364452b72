import type { FastifyBaseLogger } from 'fastify';
import { BackgroundWork } from './background-work.ts';
import { type Ctx, onBackgroundPool } from './context.ts';
import { OutboxPruner } from './modules/outbox/index.ts';
import { NodeFiguresPublisher } from './modules/operator/index.ts';
import { createOutboxWorker } from './outbox-workers.ts';

/**
 * Starts what a node runs beside its requests: the waiting room's refresh, its booking-path
 * figures for the other nodes' live dashboards, and (unless `YEYAK_WORKERS=0`) the outbox relay
 * (registry, messages, reminders, registry import) and its pruner of finished work older than
 * `YEYAK_OUTBOX_RETENTION_HOURS`. The relay and the pruner run on the background work's own pool
 * (`onBackgroundPool`), as the waiting room's journal and the queue log do (`src/bootstrap.ts`), so
 * the main pool serves requests alone. All of it is held while the node's clock disagrees with the
 * database's, compared before the first request and then every few seconds
 * (src/lib/clock-agreement.ts). `src/server.ts` and the benches' app (`bench/lib/queue-app.ts`)
 * both start a node this way, so a bench measures the work a deployed node does.
 */
export async function startNodeWork(ctx: Ctx, log: FastifyBaseLogger): Promise<BackgroundWork> {
  const onItsPool = onBackgroundPool(ctx);
  const outbox = ctx.config.workers ? [createOutboxWorker(onItsPool), new OutboxPruner(onItsPool, { log })] : [];
  const background = new BackgroundWork([ctx.waitingRoom, new NodeFiguresPublisher(ctx, log), ...outbox]);
  if (ctx.clockAgreement) {
    background.followClock(ctx.clockAgreement, log);
    await ctx.clockAgreement.check().catch((error: unknown) => log.warn({ err: error }, 'the clock could not be compared with the database’s yet'));
    ctx.clockAgreement.start();
  }
  background.start();
  return background;
}
