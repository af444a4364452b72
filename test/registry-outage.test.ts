import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOutboxWorker } from '../src/outbox-workers.ts';
import { admitted, ok, person, seedCampaign } from './support/fixtures.ts';
import { drain, jobCounts } from './support/outbox-helpers.ts';
import { freePort, standInAdmin, startRegistryProcess, type StandInProcess } from './support/stand-in-process.ts';
import { startTestApp, type TestApp } from './support/test-app.ts';

/**
 * BRIEF §5 / issue 7: with the registry stand-in (a real child process) down for the whole booking
 * run, every booking still succeeds and nothing waits on the registry; once it is back, every event
 * arrives exactly once — the stand-in's count equals Yeyak's — even though it loses replies.
 */
describe('registry outage', () => {
  let t: TestApp;
  let port: number;
  let registry: StandInProcess | undefined;

  beforeAll(async () => {
    port = await freePort();
    t = await startTestApp({ env: { YEYAK_REGISTRY_URL: `http://127.0.0.1:${port}`, YEYAK_REGISTRY_TIMEOUT_MS: '2000' } });
    await seedCampaign(t.app, { id: 'reg', institutions: ['R1', 'R2'], dates: ['2026-08-20', '2026-09-10'], times: ['09:00', '09:30'], doses: 20 });
  });

  afterAll(async () => {
    await registry?.kill();
    await t.close();
  });

  it('books at full speed while the registry is down, then delivers every event exactly once', async () => {
    const worker = createOutboxWorker(t.ctx, { random: () => 0.5 });
    const bookings: { id: string; who: { authorization: string } }[] = [];
    for (let i = 0; i < 12; i++) {
      const who = await person(t.app);
      const res = await t.app.inject({ method: 'POST', url: '/api/v1/campaigns/reg/bookings', headers: await admitted(t, who, 'reg'), payload: { institutionId: i % 2 ? 'R1' : 'R2', date: '2026-08-20', time: '09:00' } });
      expect(res.statusCode).toBe(201);
      bookings.push({ id: res.json().booking.id, who });
      // The relay runs between bookings and meets a dead registry (connection refused) every time.
      const round = await worker.runOnce();
      expect(round.delivered).toBeGreaterThanOrEqual(0);
    }
    // Two cancellations and a change: every kind of booking event.
    for (const b of bookings.slice(0, 2)) await ok(t.app, 'POST', `/api/v1/bookings/${b.id}/cancel`, undefined, b.who);
    const moved = bookings[5]!;
    await ok(t.app, 'POST', `/api/v1/bookings/${moved.id}/change`, { institutionId: 'R1', date: '2026-08-20', time: '09:30' }, await admitted(t, moved.who, 'reg'));
    await worker.runOnce();

    // Every booking event is routed (the fan-out deleted it from the outbox) into a registry job.
    expect(await t.ctx.db.selectFrom('outbox').select(['topic']).where('topic', 'like', 'booking.%').execute()).toEqual([]);
    const yeyakEvents = await t.ctx.db.selectFrom('outbox_jobs').select(['topic']).where('consumer', '=', 'registry').where('topic', 'like', 'booking.%').execute();
    expect(yeyakEvents).toHaveLength(15);
    const whileDown = await jobCounts(t, 'registry');
    expect(whileDown.done ?? 0).toBe(0);
    expect(whileDown.dead ?? 0).toBe(0);
    expect(whileDown.pending).toBe(15);
    // Twenty minutes of outage: the circuit breaker lets one trial call through every 30 s, so the
    // jobs spend few attempts and none reaches the dead letters.
    for (let minute = 0; minute < 20; minute++) {
      t.clock.advance(61_000);
      await worker.runOnce();
    }
    const attempts = await t.ctx.db.selectFrom('outbox_jobs').select((eb) => eb.fn.max('attempts').as('max')).where('consumer', '=', 'registry').executeTakeFirstOrThrow();
    expect(Number(attempts.max)).toBeLessThan(6);
    expect((await jobCounts(t, 'registry')).pending).toBe(15);
    // Messages do not wait for the registry: every confirmation is already out.
    await drain(t, worker, 'messages');
    expect((await jobCounts(t, 'messages')).done).toBe(15);

    // The registry comes back (same port), slow, failing some requests and losing some replies.
    registry = await startRegistryProcess(port, ['--latency-ms', '1-10', '--failure-rate', '0.2', '--ack-loss-rate', '0.3', '--concurrency', '3']);
    await drain(t, worker, 'registry', 200);

    const counts = await jobCounts(t, 'registry');
    expect(counts).toEqual({ done: 15 });
    const seen = await standInAdmin<{ events: number; received: number; byType: Record<string, number> }>(registry.url, '/_admin/events');
    expect(seen.events).toBe(15);
    expect(seen.byType).toEqual({ 'booking.created': 12, 'booking.cancelled': 2, 'booking.changed': 1 });
    // Some replies were lost and retried; the keys kept the registry's count exact.
    expect(seen.received).toBeGreaterThanOrEqual(15);
  }, 90_000);
});
