import { describe, expect, it } from 'vitest';
import { claimJobs, completeJobs } from '../src/modules/outbox/outbox-jobs.repository.ts';
import { enqueueDerivedJobs } from '../src/modules/outbox/outbox-producers.ts';
import { useTestApp } from './support/test-app.ts';

/**
 * A consumer takes an aggregate's jobs one at a time, oldest first (a booking's cancellation never
 * overtakes its creation), while other aggregates' jobs are claimed beside them.
 */
const t = useTestApp();

describe('claiming outbox jobs', () => {
  it("claims only each aggregate's oldest pending job, and the next once it is done", async () => {
    const job = (key: string, aggregateId: string) => ({ consumer: 'messages' as const, idempotencyKey: `claim-order:${key}`, topic: 'booking.changed', aggregateId, payload: {} });
    await enqueueDerivedJobs(t.ctx.db, [job('a1', 'claim-a'), job('b1', 'claim-b'), job('a2', 'claim-a'), job('a3', 'claim-a')], t.clock.now());
    const keys = (jobs: { idempotencyKey: string }[]) => jobs.map((j) => j.idempotencyKey).filter((k) => k.startsWith('claim-order:'));

    const first = await claimJobs(t.ctx.db, 'messages', t.clock.now(), 30_000, 10);
    expect(keys(first)).toEqual(['claim-order:a1', 'claim-order:b1']);
    // Leased and still pending: the aggregate's next job waits.
    expect(keys(await claimJobs(t.ctx.db, 'messages', t.clock.now(), 30_000, 10))).toEqual([]);

    await completeJobs(t.ctx.db, [first.find((j) => j.idempotencyKey === 'claim-order:a1')!.id], t.clock.now());
    const second = await claimJobs(t.ctx.db, 'messages', t.clock.now(), 30_000, 10);
    expect(keys(second)).toEqual(['claim-order:a2']);
    await completeJobs(t.ctx.db, [second[0]!.id], t.clock.now());
    expect(keys(await claimJobs(t.ctx.db, 'messages', t.clock.now(), 30_000, 10))).toEqual(['claim-order:a3']);
  });
});
