import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { admitted, ok, person, seedCampaign } from './support/fixtures.ts';
import { startTestApp, type TestApp } from './support/test-app.ts';

/** The gauges the alerts of issue 20 read, as `/metrics` serves them. */
describe('the gauges read at each scrape', () => {
  let t: TestApp;
  const scrape = async () => (await t.app.inject({ method: 'GET', url: '/metrics' })).body;
  const value = (text: string, series: string) => Number(new RegExp(`^${series.replace(/[{}"]/g, '\\$&')} (\\S+)$`, 'm').exec(text)?.[1]);

  beforeAll(async () => {
    t = await startTestApp();
    await seedCampaign(t.app, { id: 'covid', institutions: ['c1'], dates: ['2026-08-20'], times: ['09:00'], doses: 5, campaign: { vaccine: { name: 'mRNA', doses: 1, intervalDays: 0 } } });
  });
  afterAll(() => t.close());

  it('says the node is ready, the queue open and owing nobody; the outbox backlog by stage and its age', async () => {
    const someone = await person(t.app);
    await ok(t.app, 'POST', '/api/v1/campaigns/covid/bookings', { institutionId: 'c1', date: '2026-08-20', time: '09:00' }, await admitted(t, someone, 'covid'));
    t.clock.advance(42_000);
    await t.ctx.waitingRoom.refresh();
    const text = await scrape();
    expect(value(text, 'yeyak_ready')).toBe(1);
    expect(value(text, 'yeyak_queue_open{campaign="covid"}')).toBe(1);
    expect(value(text, 'yeyak_queue_placed_waiting{campaign="covid"}')).toBe(0);
    // The booking's event, not yet routed (no worker runs in this test): 42 s old.
    expect(value(text, 'yeyak_outbox_pending{stage="fan-out"}')).toBe(1);
    expect(value(text, 'yeyak_outbox_oldest_pending_seconds{stage="fan-out"}')).toBe(42);
    expect(value(text, 'yeyak_outbox_pending{stage="registry"}')).toBe(0);
    expect(value(text, 'yeyak_outbox_oldest_pending_seconds{stage="messages"}')).toBe(0);
  });

  it('says the node is not ready while it drains, as GET /api/v1/ready does', async () => {
    t.ctx.lifecycle.draining = true;
    try {
      expect((await t.app.inject({ method: 'GET', url: '/api/v1/ready' })).json().error.details).toEqual({ draining: true });
      expect(value(await scrape(), 'yeyak_ready')).toBe(0);
    } finally {
      t.ctx.lifecycle.draining = false;
    }
    expect(value(await scrape(), 'yeyak_ready')).toBe(1);
  });
});
