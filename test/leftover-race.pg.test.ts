import { describe, expect, it } from 'vitest';
import { ok, operator, person, seedCampaign } from './support/fixtures.ts';
import { onPostgres, useTestApp } from './support/test-app.ts';

/**
 * Leftover doses are first come, first served: many citizens racing for the last doses on real
 * PostgreSQL (PGlite serialises transactions, so only here do they really race). Exactly as many
 * win as there are doses; everyone else gets a clear "sold out"; nobody gets two.
 */
describe.skipIf(!onPostgres)('leftover race on PostgreSQL', () => {
  const t = useTestApp({ env: { YEYAK_DB_POOL_SIZE: '40' } });

  /** A campaign with one clinic, whose staff member publishes today's leftover doses. */
  async function leftoverOffer(campaignId: string, institutionId: string, doses: number) {
    await seedCampaign(t.app, { id: campaignId, institutions: [institutionId], dates: ['2026-08-20'], times: ['09:00'], doses: 1 });
    const password = 'clinic password 123';
    const username = `${institutionId.toLowerCase()}.nurse`;
    await ok(t.app, 'POST', '/api/v1/admin/operators', { username, password, role: 'clinic_staff', institutionId }, operator);
    const staff = { authorization: `Bearer ${(await ok(t.app, 'POST', '/api/v1/admin/login', { username, password })).token}` };
    return ok(t.app, 'POST', '/api/v1/clinic/leftovers', { vaccine: 'mRNA', doses }, staff);
  }

  it('gives 3 leftover doses to exactly 3 of 200 racing citizens and tells the rest they are sold out', async () => {
    const offer = await leftoverOffer('lr', 'L1', 3);

    const people = [];
    for (let i = 0; i < 200; i += 50) people.push(...(await Promise.all(Array.from({ length: 50 }, () => person(t.app)))));
    // Each person also tries twice at once: one person never gets two doses.
    const attempts = [...people, ...people.slice(0, 20)];
    const results = await Promise.all(attempts.map((who) => t.app.inject({ method: 'POST', url: `/api/v1/leftovers/${offer.offerId}/bookings`, headers: who })));

    const byStatus = results.reduce<Record<string, number>>((acc, r) => {
      const key = r.statusCode === 201 ? '201' : `${r.statusCode} ${r.json().error.code}`;
      acc[key] = (acc[key] ?? 0) + 1;
      return acc;
    }, {});
    expect(byStatus['201']).toBe(3);
    expect(Object.keys(byStatus).every((k) => ['201', '409 YEYAK_ERR_LEFTOVER_SOLD_OUT', '409 YEYAK_ERR_LEFTOVER_ALREADY_BOOKED'].includes(k))).toBe(true);
    expect(byStatus['409 YEYAK_ERR_LEFTOVER_SOLD_OUT']).toBeGreaterThanOrEqual(200 - 3 - 20);

    const row = await t.ctx.db.selectFrom('leftover_offers').select(['doses', 'booked']).where('id', '=', offer.offerId).executeTakeFirstOrThrow();
    expect(row).toEqual({ doses: 3, booked: 3 });
    const bookings = await t.ctx.db.selectFrom('leftover_bookings').select('person_key').where('offer_id', '=', offer.offerId).execute();
    expect(bookings).toHaveLength(3);
    expect(new Set(bookings.map((b) => b.person_key)).size).toBe(3);
    // Each winner's confirmation and registry report are in the outbox; no loser's is.
    const events = await t.ctx.db.selectFrom('outbox').select('id').where('topic', '=', 'leftover.booked').execute();
    expect(events).toHaveLength(3);
  });
  it('answers eight simultaneous retries of one booking under one Idempotency-Key with one booking and the same 201', async () => {
    const offer = await leftoverOffer('lr2', 'L2', 5);
    const who = { ...(await person(t.app)), 'idempotency-key': 'same-tap-8-times' };
    const results = await Promise.all(Array.from({ length: 8 }, () => t.app.inject({ method: 'POST', url: `/api/v1/leftovers/${offer.offerId}/bookings`, headers: who })));
    expect(results.map((r) => r.statusCode)).toEqual(Array(8).fill(201));
    expect(new Set(results.map((r) => r.json().leftoverBooking.id)).size).toBe(1);
    const row = await t.ctx.db.selectFrom('leftover_offers').select('booked').where('id', '=', offer.offerId).executeTakeFirstOrThrow();
    expect(row.booked).toBe(1);
  });
});
