import type { Ctx } from '../../context.ts';
import { BackgroundLoop } from '../../lib/background-loop.ts';
import type { OutboxConsumer as ConsumerName } from '../../infra/db/schema-outreach.ts';
import { afterFailure, DEFAULT_BACKOFF, type BackoffPolicy } from './domain/backoff.ts';
import type { OutboxJob } from './outbox-job.ts';
import { claimJobs, completeJobs, failJob, fanOutEvents, releaseJobs } from './outbox-jobs.repository.ts';

/** A failure that no retry can mend (e.g. the event refers to nothing); the job goes straight to the dead letters. */
export class PermanentDeliveryError extends Error {}

/**
 * Something that delivers outbox jobs to one outside system. `Facts` is what a claimed batch's
 * deliveries read from the database, read for the whole batch at once by `prepare`.
 */
export interface OutboxConsumer<Facts = unknown> {
  name: ConsumerName;
  /** Jobs delivered at once (the outside system's own concurrency limit is small). */
  concurrency: number;
  /** False while the outside system is known to be down (circuit open): no job is claimed, none burns an attempt. */
  available?(): boolean;
  /** True while a single trial call is allowed (circuit half open): one job is claimed, not a batch. */
  probing?(): boolean;
  /**
   * Reads in a few statements what every job of a claimed batch needs, so that delivering is not a
   * round trip to the database per job. Throwing fails the whole batch's attempt (retried later).
   */
  prepare(jobs: readonly OutboxJob[]): Promise<Facts>;
  /** Delivers one job; throws to retry later, PermanentDeliveryError to give up. Must be idempotent by `job.idempotencyKey`. */
  deliver(job: OutboxJob, facts: Facts): Promise<void>;
}

export interface OutboxWorkerOptions {
  batchSize?: number;
  /** How long a claimed job stays with its worker before another may take it. */
  leaseMs?: number;
  backoff?: BackoffPolicy;
  /** Pause between rounds when the last one found nothing to do. */
  idleMs?: number;
  random?: () => number;
  /** Also runs every round (reminder scheduler, registry import): derived work on the same loop. */
  periodic?: { name: string; run: () => Promise<unknown> }[];
}

export interface RoundResult {
  fannedOut: number;
  delivered: number;
  failed: number;
}

/**
 * The outbox relay: each round fans new outbox events out into per-consumer jobs, then each
 * consumer claims a batch (SKIP LOCKED, leased) and delivers it outside any transaction, so a slow
 * or dead outside system holds no lock and no connection the booking path needs. Time comes from
 * `ctx.clock`; tests call `runOnce()` and move the clock.
 */
export class OutboxWorker {
  private readonly batchSize: number;
  private readonly leaseMs: number;
  private readonly backoff: BackoffPolicy;
  private readonly random: () => number;
  private readonly loop = new BackgroundLoop(
    async () => {
      const r = await this.runOnce();
      return r.fannedOut + r.delivered + r.failed > 0;
    },
    () => this.options.idleMs ?? 1_000,
    (error) => console.error(`outbox round failed: ${errorText(error)}`),
  );

  constructor(
    private readonly ctx: Pick<Ctx, 'clock' | 'db' | 'metrics'>,
    private readonly consumers: OutboxConsumer[],
    private readonly options: OutboxWorkerOptions = {},
  ) {
    this.batchSize = options.batchSize ?? 50;
    this.leaseMs = options.leaseMs ?? 60_000;
    this.backoff = options.backoff ?? DEFAULT_BACKOFF;
    this.random = options.random ?? Math.random;
  }

  /** One round: periodic work, fan-out, then one batch per consumer. */
  async runOnce(): Promise<RoundResult> {
    for (const task of this.options.periodic ?? []) {
      try {
        await task.run();
      } catch (error) {
        console.error(`outbox periodic task ${task.name} failed: ${errorText(error)}`);
      }
    }
    const fannedOut = await fanOutEvents(this.ctx.db, this.ctx.clock.now(), this.batchSize * 4);
    const results = await Promise.all(this.consumers.map((c) => this.deliverBatch(c)));
    return { fannedOut, delivered: results.reduce((n, r) => n + r.delivered, 0), failed: results.reduce((n, r) => n + r.failed, 0) };
  }

  /**
   * Claims a batch, reads what it needs (`prepare`), delivers it `concurrency` jobs at a time, then
   * marks the delivered ones done in one statement. A job sent but not yet marked done when the
   * node dies comes back when its lease runs out, and the consumer's idempotency key makes the
   * second delivery a no-op.
   */
  private async deliverBatch(consumer: OutboxConsumer): Promise<{ delivered: number; failed: number }> {
    if (consumer.available && !consumer.available()) return { delivered: 0, failed: 0 };
    const limit = consumer.probing?.() ? 1 : this.batchSize;
    const jobs = await claimJobs(this.ctx.db, consumer.name, this.ctx.clock.now(), this.leaseMs, limit);
    if (jobs.length === 0) return { delivered: 0, failed: 0 };
    let facts: unknown;
    try {
      facts = await consumer.prepare(jobs);
    } catch (error) {
      for (const job of jobs) await this.recordFailure(consumer, job, error);
      return { delivered: 0, failed: jobs.length };
    }
    const done: number[] = [];
    const released: number[] = [];
    let failed = 0;
    // Jobs of one aggregate are claimed one at a time (the claim skips a job behind an older
    // pending one), so running a batch in parallel never reorders a booking's events.
    const queue = [...jobs];
    const lanes = Array.from({ length: Math.max(1, consumer.concurrency) }, async () => {
      for (let job = queue.shift(); job; job = queue.shift()) {
        // The system went down during this batch (circuit open): hand the rest back unattempted.
        if (consumer.available && !consumer.available()) {
          released.push(job.id);
          continue;
        }
        try {
          await consumer.deliver(job, facts);
          done.push(job.id);
        } catch (error) {
          await this.recordFailure(consumer, job, error);
          failed++;
        }
      }
    });
    await Promise.all(lanes);
    await releaseJobs(this.ctx.db, released);
    await completeJobs(this.ctx.db, done, this.ctx.clock.now());
    this.ctx.metrics.outboxDeliveries.inc({ consumer: consumer.name, outcome: 'delivered' }, done.length);
    return { delivered: done.length, failed };
  }

  /** A failed attempt: retried after a back-off, or a dead letter when permanent or out of attempts. */
  private async recordFailure(consumer: OutboxConsumer, job: OutboxJob, error: unknown): Promise<void> {
    const outcome = afterFailure(this.backoff, job.attempts, error instanceof PermanentDeliveryError, this.ctx.clock.now().getTime(), this.random);
    await failJob(this.ctx.db, job.id, outcome, errorText(error));
    this.ctx.metrics.outboxDeliveries.inc({ consumer: consumer.name, outcome: outcome.dead ? 'dead' : 'retry' });
  }

  /** Runs rounds until stopped: at once again while there was work, else after `idleMs`. */
  start(): void {
    this.loop.start();
  }

  /** Stops after the round in progress (its claimed jobs are finished or left to their lease). */
  async stop(): Promise<void> {
    await this.loop.stop();
  }
}

/** An error as one line without personal data: the consumers' errors name statuses and ids only. */
export function errorText(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
