/**
 * The background work's own pool (PostgreSQL): while the main pool's every connection is busy — a
 * sign-in storm — the node still journals its queue and writes its log (the waiting room's
 * refresh) and the outbox relay still sends the confirmations, on connections of their own; and
 * their waits are not the main pool's, so they never shed a sign-in.
 */
import { describe, expect, it } from 'vitest';
import { onBackgroundPool } from '../src/context.ts';
import { createOutboxWorker } from '../src/outbox-workers.ts';
import { admitted, person, seedCampaign } from './support/fixtures.ts';
import { holdMainPool } from './support/main-pool-hold.ts';
import { onPostgres, startTestApp } from './support/test-app.ts';

describe.skipIf(!onPostgres)('the background work’s pool', () => {
  it('refreshes the queue and sends a confirmation while the main pool is held, and waits behind it without its own pool', async () => {
    for (const backgroundPool of ['2', '0']) {
      const t = await startTestApp({ now: '2026-08-10T02:00:00Z', env: { YEYAK_DB_POOL_SIZE: '1', YEYAK_DB_BACKGROUND_POOL_SIZE: backgroundPool } });
      try {
        expect(t.ctx.database.backgroundDb === t.ctx.db).toBe(backgroundPool === '0');
        await seedCampaign(t.app, { id: 'bg', institutions: ['G1'], dates: ['2026-08-25', '2026-09-15'], times: ['10:00'], doses: 5 });
        const who = await person(t.app);
        const booking = await t.app.inject({ method: 'POST', url: '/api/v1/campaigns/bg/bookings', headers: { ...(await admitted(t, who, 'bg')), 'idempotency-key': `bg${backgroundPool}` }, payload: { institutionId: 'G1', date: '2026-08-25', time: '10:00' } });
        expect(booking.statusCode).toBe(201);
        const relay = createOutboxWorker(onBackgroundPool(t.ctx));
        const mainWaitsBefore = await mainPoolWaits(t.ctx.metrics.registry.metrics());

        // The main pool's one connection is taken for 1.5 s.
        const hold = await holdMainPool(t, 1500);
        await t.ctx.waitingRoom.refresh();
        const refreshedWhileHeld = hold.held();
        const round = await relay.runOnce();
        const sentWhileHeld = hold.held();
        await hold.released;

        expect(round.delivered).toBeGreaterThanOrEqual(1);
        expect([refreshedWhileHeld, sentWhileHeld]).toEqual(backgroundPool === '0' ? [false, false] : [true, true]);
        // On its own pool, the background work did not wait for the main pool: the waits that shed sign-ins are the hold's alone.
        const mainWaits = (await mainPoolWaits(t.ctx.metrics.registry.metrics())) - mainWaitsBefore;
        if (backgroundPool === '2') expect(mainWaits).toBe(1);
        else expect(mainWaits).toBeGreaterThan(1);
      } finally {
        await t.close();
      }
    }
  }, 60_000);
});

/** How many checkouts of the main pool were timed so far (`yeyak_db_pool_wait_seconds_count{pool="main"}`). */
async function mainPoolWaits(text: Promise<string> | string): Promise<number> {
  const line = (await text).split('\n').find((l) => l.startsWith('yeyak_db_pool_wait_seconds_count{pool="main"}'));
  return line ? Number(line.split(' ').pop()) : 0;
}
