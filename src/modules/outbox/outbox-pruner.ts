import type { Ctx } from '../../context.ts';
import { BackgroundLoop } from '../../lib/background-loop.ts';
import { errorText } from './outbox-worker.ts';
import { pruneDoneJobs, pruneFannedOutEvents, type PruneCursor } from './outbox-prune.repository.ts';

export interface PruneResult {
  jobs: number;
  events: number;
  batches: number;
}

/** Where the pruner reports: counts only, never a row's content (pino's `info(fields, msg)` fits). */
export interface PruneLog {
  info(fields: Record<string, number>, message: string): void;
  error(fields: Record<string, string>, message: string): void;
}

export interface OutboxPrunerOptions {
  /** Jobs deleted per statement (default 5,000 on PostgreSQL, 500 on PGlite). */
  batchSize?: number;
  /** Pause between runs, in ms (wall time only decides when to look; the cutoff comes from `ctx.clock`). */
  intervalMs?: number;
  /** The process's logger (the server passes Fastify's). */
  log: PruneLog;
}

/**
 * Deletes finished outbox work: `done` jobs older than `YEYAK_OUTBOX_RETENTION_HOURS`, and the
 * events a node of the release before migration 0033 marked processed instead of deleting (the
 * fan-out now deletes the events it routes). Dead jobs stay for the operators to replay; pending
 * jobs stay until delivered.
 *
 * It runs in every process that runs the outbox worker, with no coordination between nodes: two
 * nodes deleting the same rows is harmless (`SKIP LOCKED` makes the second take other rows, and a
 * row already gone is simply not deleted twice), so there is no leader to elect or lose.
 */
export class OutboxPruner {
  private readonly batchSize: number;
  private readonly intervalMs: number;
  private readonly log: PruneLog;
  // Each run ends when the old rows are used up, so the loop always waits a full interval after it.
  private readonly loop = new BackgroundLoop(
    async () => {
      await this.runOnce();
      return false;
    },
    () => this.intervalMs,
    (error) => this.log.error({ error: errorText(error) }, 'outbox pruning failed'),
  );

  constructor(
    private readonly ctx: Pick<Ctx, 'clock' | 'config' | 'database' | 'db' | 'metrics'>,
    options: OutboxPrunerOptions,
  ) {
    // Small enough that no statement holds its row locks for long. PGlite has one connection, which
    // every booking waits behind while a batch runs, so there a batch is kept to a tenth.
    this.batchSize = options.batchSize ?? (ctx.database.kind === 'pglite' ? 500 : 5_000);
    this.intervalMs = options.intervalMs ?? ctx.config.outbox.pruneIntervalSeconds * 1000;
    this.log = options.log;
  }

  /** One run: batches until one deletes less than a full batch. Tests call it and move the clock. */
  async runOnce(): Promise<PruneResult> {
    const cutoff = new Date(this.ctx.clock.now().getTime() - this.ctx.config.outbox.retentionHours * 3_600_000);
    const total: PruneResult = { jobs: 0, events: 0, batches: 0 };
    for (;;) {
      const events = await pruneFannedOutEvents(this.ctx.db, this.batchSize);
      total.events += events;
      this.ctx.metrics.outboxPruned.inc({ table: 'outbox' }, events);
      if (events < this.batchSize || this.loop.stopRequested) break;
    }
    let cursor: PruneCursor | null = null;
    for (;;) {
      const batch = await pruneDoneJobs(this.ctx.db, cutoff, cursor, this.batchSize);
      total.batches++;
      total.jobs += batch.jobs;
      this.ctx.metrics.outboxPruned.inc({ table: 'outbox_jobs' }, batch.jobs);
      // A short batch means the old done rows are used up (rows skipped as locked wait for the next run).
      if (batch.jobs < this.batchSize || batch.cursor === null || this.loop.stopRequested) break;
      cursor = batch.cursor;
    }
    if (total.jobs + total.events > 0) this.log.info({ ...total }, 'outbox pruned');
    return total;
  }

  /** Runs now, then every interval until stopped. */
  start(): void {
    this.loop.start();
  }

  /** Stops after the batch in progress. */
  async stop(): Promise<void> {
    await this.loop.stop();
  }
}
