import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOutboxWorker } from '../src/outbox-workers.ts';
import { startMessageGatewayStandIn, type MessageGatewayStandIn } from '../src/stand-ins/message-gateway/gateway-server.ts';
import { admitted, ok, person, seedCampaign } from './support/fixtures.ts';
import { jobCounts } from './support/outbox-helpers.ts';
import { onPostgres, startTestApp, type TestApp } from './support/test-app.ts';

/**
 * Several workers (as on several nodes) share the outbox on real PostgreSQL: `SKIP LOCKED` claims
 * never hand one job to two workers, so with a gateway that never fails each message is posted
 * exactly once — not merely deduplicated by the gateway.
 */
describe.skipIf(!onPostgres)('outbox workers in parallel on PostgreSQL', () => {
  let t: TestApp;
  let gateway: MessageGatewayStandIn;

  beforeAll(async () => {
    gateway = await startMessageGatewayStandIn({ behaviour: { latencyMs: [1, 5], failureRate: 0, concurrency: 1000 } });
    t = await startTestApp({ env: { YEYAK_DB_POOL_SIZE: '30', YEYAK_MESSAGE_GATEWAY_URL: gateway.url } });
  });

  afterAll(async () => {
    await t?.close();
    await gateway?.close();
  });

  it('three workers deliver 60 confirmations with 60 posts', async () => {
    await seedCampaign(t.app, { id: 'par', institutions: ['P1', 'P2'], dates: ['2026-08-20'], times: ['09:00', '09:30', '10:00'], doses: 20, campaign: { vaccine: { name: 'single', doses: 1, intervalDays: 0 } } });
    for (let i = 0; i < 60; i++) {
      const who = await person(t.app);
      await ok(t.app, 'POST', '/api/v1/campaigns/par/bookings', { institutionId: i % 2 ? 'P1' : 'P2', date: '2026-08-20', time: ['09:00', '09:30', '10:00'][i % 3] }, await admitted(t, who, 'par'));
    }
    const workers = [1, 2, 3].map(() => createOutboxWorker(t.ctx, { batchSize: 7 }));
    for (let round = 0; round < 30; round++) {
      await Promise.all(workers.map((w) => w.runOnce()));
      if (!(await jobCounts(t, 'messages')).pending) break;
    }
    expect((await jobCounts(t, 'messages')).done).toBe(60);
    // Three fan-outs at once routed each event once, and deleted it.
    expect(await jobCounts(t, 'registry')).toEqual({ pending: 60 });
    expect(await t.ctx.db.selectFrom('outbox').select('id').execute()).toEqual([]);
    expect(gateway.messages.size).toBe(60);
    expect(gateway.posts()).toBe(60);
  }, 120_000);
});
