import type { TestApp } from './test-app.ts';
import type { OutboxWorker } from '../../src/modules/outbox/outbox-worker.ts';

/** Job counts of a consumer by status. */
export async function jobCounts(t: Pick<TestApp, 'ctx'>, consumer: 'registry' | 'messages'): Promise<Record<string, number>> {
  const rows = await t.ctx.db.selectFrom('outbox_jobs').select(['status', (eb) => eb.fn.countAll<number>().as('n')]).where('consumer', '=', consumer).groupBy('status').execute();
  return Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]));
}

/**
 * Runs worker rounds, moving the injected clock past every back-off and circuit cool-down, until a
 * consumer has nothing pending (or `rounds` run out: then the caller's assertions fail).
 */
export async function drain(t: Pick<TestApp, 'ctx' | 'clock'>, worker: OutboxWorker, consumer: 'registry' | 'messages', rounds = 60): Promise<void> {
  for (let i = 0; i < rounds; i++) {
    await worker.runOnce();
    const counts = await jobCounts(t, consumer);
    const unrouted = await t.ctx.db.selectFrom('outbox').select('id').where('processed_at', 'is', null).limit(1).execute();
    if (!counts.pending && unrouted.length === 0) return;
    t.clock.advance(61_000);
  }
}
