import { randomBytes } from 'node:crypto';
import { Value } from 'typebox/value';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QueueStatusSchema } from '../src/modules/waiting-room/queue-status.schema.ts';
import { REMAINING_DOSES_INTERVAL_MS } from '../src/modules/waiting-room/remaining-doses-cache.ts';
import { ok, person, seedCampaign } from './support/fixtures.ts';
import { deleteAppCampaignKeys, redisUrl } from './support/redis.ts';
import { startTestApp, type TestApp } from './support/test-app.ts';

// The queue holds while every dose is booked and moves again once doses come back — with the
// in-process store always, and with Redis (the app's own `yeyak:` keys, a campaign of its own) when REDIS_URL is set.
const kinds = [{ name: 'in-process store', env: {} as Record<string, string> }, ...(redisUrl ? [{ name: 'Redis store', env: { REDIS_URL: redisUrl } }] : [])];

describe.each(kinds)('sold out, with the $name', ({ env }) => {
  let t: TestApp;
  const C = `so-${randomBytes(4).toString('hex')}`;
  const base = `/api/v1/campaigns/${C}`;

  /** A refresh that also lets the remaining-doses read it started answer, then uses it. */
  async function refreshAndRead() {
    await t.ctx.waitingRoom.refresh();
    await t.ctx.waitingRoom.doses?.settled();
    await t.ctx.waitingRoom.refresh();
  }
  async function tick(ms: number) {
    t.clock.advance(ms);
    await refreshAndRead();
  }
  const status = async () => ok(t.app, 'GET', `${base}/queue`);
  const admit = (ticket: string) => t.app.inject({ method: 'POST', url: `${base}/admissions`, headers: { authorization: `Bearer ${ticket}` } });

  beforeAll(async () => {
    t = await startTestApp({ now: '2026-08-09T11:00:00Z', env }); // 20:00 Seoul: the window is open
    // One clinic, one dose on each of the two doses' dates: a single booking takes every dose.
    await seedCampaign(t.app, {
      id: C,
      institutions: ['S1'],
      dates: ['2026-08-20', '2026-09-10'],
      times: ['09:00'],
      doses: 1,
      campaign: { admission: { mode: 'fixed', ratePerSecond: 1, maxActive: 1000 } },
    });
    await refreshAndRead();
  });
  afterAll(async () => {
    await t.close();
    await deleteAppCampaignKeys(env, C);
  });

  it('holds every place while nothing is left, admits those already reached, and moves again when a dose comes back', async () => {
    const opened = await status();
    expect(opened).toMatchObject({ state: 'open', remainingDoses: 2, soldOut: false });
    expect(Value.Check(QueueStatusSchema, opened), JSON.stringify(opened)).toBe(true);
    const people = await Promise.all(Array.from({ length: 8 }, () => person(t.app)));
    const tickets: string[] = [];
    for (const [i, who] of people.entries()) {
      const joined = await ok(t.app, 'POST', `${base}/queue/tickets`, undefined, who);
      expect(joined.position).toBe(i + 1);
      tickets.push(joined.ticket);
    }

    // The first person is admitted and books the campaign's only doses.
    await tick(1_000);
    const first = await admit(tickets[0]!);
    expect(first.statusCode).toBe(201);
    const booked = await ok(t.app, 'POST', `${base}/bookings`, { institutionId: 'S1', date: '2026-08-20', time: '09:00' }, { authorization: `Bearer ${first.json().admission}` });

    // Within the cache's interval the queue still moves; once re-read, it holds.
    await tick(REMAINING_DOSES_INTERVAL_MS);
    const held = await status();
    expect(held).toMatchObject({ remainingDoses: 0, soldOut: true, etaRatePerSecond: null, issuedUpTo: 8 });
    // The document is what openapi.json says it is, held or not.
    expect(Value.Check(QueueStatusSchema, held), JSON.stringify(held)).toBe(true);
    const servingUpTo: number = held.servingUpTo;
    expect(servingUpTo).toBeGreaterThanOrEqual(2);
    expect(servingUpTo).toBeLessThan(8);
    for (let i = 0; i < 6; i++) await tick(REMAINING_DOSES_INTERVAL_MS);
    expect(await status()).toMatchObject({ servingUpTo, soldOut: true, issuedUpTo: 8 });

    // Someone already reached still gets their admission (no bounce); the first one's still works.
    const reached = await admit(tickets[servingUpTo - 1]!);
    expect(reached.statusCode).toBe(201);
    expect((await admit(tickets[0]!)).statusCode).toBe(201);
    // The next in line keeps their place and is told so, with no wait promised.
    const next = tickets[servingUpTo]!;
    const refused = await admit(next);
    expect(refused.statusCode).toBe(425);
    expect(refused.json().error.details).toMatchObject({ ahead: 1, soldOut: true, eta: { p50Seconds: null, p90Seconds: null } });
    const me = await ok(t.app, 'GET', `${base}/queue/tickets/me`, undefined, { authorization: `Bearer ${next}` });
    expect(me).toMatchObject({ position: servingUpTo + 1, ahead: 1, admitted: false, soldOut: true, eta: { p50Seconds: null, p90Seconds: null } });
    const metrics = (await t.app.inject({ method: 'GET', url: '/metrics' })).body;
    expect(metrics).toContain(`yeyak_campaign_remaining_doses{campaign="${C}"} 0`);
    expect(metrics).toContain(`yeyak_queue_sold_out{campaign="${C}"} 1`);
    expect(metrics).toContain(`yeyak_admissions_refused_total{campaign="${C}",reason="sold_out"} 1`);

    // A cancellation gives the doses back: after the cache's interval the queue moves by itself.
    await ok(t.app, 'POST', `/api/v1/bookings/${booked.booking.id}/cancel`, undefined, people[0]!);
    await tick(REMAINING_DOSES_INTERVAL_MS);
    expect(await status()).toMatchObject({ remainingDoses: 2, soldOut: false });
    expect((await t.app.inject({ method: 'GET', url: '/metrics' })).body).toContain(`yeyak_queue_sold_out{campaign="${C}"} 0`);
    await tick(1_000);
    const moving = await status();
    expect(moving.servingUpTo).toBeGreaterThan(servingUpTo);
    expect((await admit(next)).statusCode).toBe(201);
  });
});
