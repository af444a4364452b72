import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { admitted, ok, operator, person, seedCampaign } from './support/fixtures.ts';
import { onPostgres, useTestApp } from './support/test-app.ts';
import { mapLimit } from './support/cluster.ts';

/**
 * Concurrency invariants count only on real PostgreSQL (PGlite has one connection and serialises
 * transactions), so this suite runs when DATABASE_URL is set — as .ci/run does.
 */
describe.skipIf(!onPostgres)('under contention on PostgreSQL', () => {
  // 5,000 bookings at once through inject queue thousands on the pool on purpose: shedding by the
  // pool's queue (its own test: test/load-shedding-db.pg.test.ts) would otherwise still be on,
  // from its last half-second health check, when the next test starts.
  const t = useTestApp({ now: '2026-08-10T02:00:00Z', env: { YEYAK_DB_POOL_SIZE: '40' } });

  async function ledgerInvariants(campaignId: string) {
    // Every count is checked in SQL against the bookings themselves.
    const r = await sql<{ bad_slots: number; bad_days: number; doubles: number; live_doses: number; slot_booked: number; day_booked: number }>`
      SELECT
        (SELECT count(*)::int FROM capacity_slots s WHERE s.campaign_id = ${campaignId} AND (s.booked < 0 OR s.booked > s.capacity
          OR s.booked <> (SELECT count(*) FROM booking_doses bd JOIN bookings b ON b.id = bd.booking_id
                          WHERE b.status = 'booked' AND b.campaign_id = s.campaign_id AND bd.institution_id = s.institution_id AND bd.date = s.date AND bd.minute = s.minute))) AS bad_slots,
        (SELECT count(*)::int FROM clinic_days d WHERE d.campaign_id = ${campaignId}
          AND d.booked <> (SELECT coalesce(sum(s.booked), 0) FROM capacity_slots s WHERE s.campaign_id = d.campaign_id AND s.institution_id = d.institution_id AND s.date = d.date)) AS bad_days,
        (SELECT count(*)::int FROM (SELECT person_key FROM bookings WHERE campaign_id = ${campaignId} AND status = 'booked' GROUP BY person_key HAVING count(*) > 1) x) AS doubles,
        (SELECT count(*)::int FROM booking_doses bd JOIN bookings b ON b.id = bd.booking_id WHERE b.campaign_id = ${campaignId} AND b.status = 'booked') AS live_doses,
        (SELECT coalesce(sum(booked), 0)::int FROM capacity_slots WHERE campaign_id = ${campaignId}) AS slot_booked,
        (SELECT coalesce(sum(booked), 0)::int FROM clinic_days WHERE campaign_id = ${campaignId}) AS day_booked
    `.execute(t.ctx.db);
    return r.rows[0]!;
  }

  it('5,000 people racing for 50 slots of 10 doses get exactly 500 bookings', async () => {
    const institutions = Array.from({ length: 5 }, (_, i) => `R${i}`);
    const times = ['09:00', '09:30', '10:00', '10:30', '11:00', '11:30', '12:00', '12:30', '13:00', '13:30'];
    await seedCampaign(t.app, { id: 'race', institutions, dates: ['2026-08-20'], times, doses: 10, campaign: { vaccine: { name: 'single', doses: 1, intervalDays: 0 } } });
    const people = [];
    // Everyone verified and admitted through the waiting room first; then they all book at once.
    for (let i = 0; i < 5000; i += 250) people.push(...(await Promise.all(Array.from({ length: 250 }, async () => admitted(t, await person(t.app), 'race')))));
    // 400 bookings in flight at every instant, on the booking path's 10 connections: hundreds race
    // for each dose, and the pool's queue stays under the shipped shedding threshold (500 waiting),
    // so every answer is the database's own — a 503 here would be a node shedding below capacity.
    const statuses = await mapLimit(people, 400, async (who, i) => {
      const res = await t.app.inject({
        method: 'POST',
        url: '/api/v1/campaigns/race/bookings',
        headers: who,
        payload: { institutionId: institutions[i % 5], date: '2026-08-20', time: times[Math.floor(i / 5) % 10] },
      });
      return res.statusCode;
    });
    expect(statuses.filter((s) => s === 201)).toHaveLength(500);
    expect(statuses.filter((s) => s !== 201 && s !== 409)).toEqual([]);
    const inv = await ledgerInvariants('race');
    expect(inv).toMatchObject({ bad_slots: 0, bad_days: 0, doubles: 0, live_doses: 500, slot_booked: 500, day_booked: 500 });
  }, 120_000);

  it('moves 60 racing second doses to the nearest free times, none refused while a time is free', async () => {
    // Dose 1: 60 doses at 10:00. Dose 2's day: 10 doses at each of six times around 10:00, so
    // all 60 second doses race for 10:00 and then for the next nearest time, again and again.
    await seedCampaign(t.app, { id: 'near', institutions: ['N1'], dates: ['2026-08-24'], times: ['10:00'], doses: 60 });
    const dose2Times = ['08:30', '09:00', '09:30', '10:00', '10:30', '11:00'];
    await ok(t.app, 'POST', '/api/v1/admin/campaigns/near/capacity', dose2Times.map((time) => ({ institutionId: 'N1', date: '2026-09-14', time, doses: 10 })), operator);
    const people = await Promise.all(Array.from({ length: 60 }, async () => admitted(t, await person(t.app), 'near')));
    const answers = await Promise.all(
      people.map((who) => t.app.inject({ method: 'POST', url: '/api/v1/campaigns/near/bookings', headers: who, payload: { institutionId: 'N1', date: '2026-08-24', time: '10:00' } })),
    );
    expect(answers.map((a) => a.statusCode).filter((s) => s !== 201)).toEqual([]);
    const taken = await sql<{ time: string; booked: number }>`
      SELECT to_char(make_interval(mins => minute), 'HH24:MI') AS time, booked FROM capacity_slots
       WHERE campaign_id = 'near' AND date = '2026-09-14' ORDER BY minute`.execute(t.ctx.db);
    expect(taken.rows).toEqual(dose2Times.map((time) => ({ time, booked: 10 })));
    // Each answer names the time its second dose took.
    const times = answers.map((a) => (a.json() as { booking: { doses: { time: string }[] } }).booking.doses[1]!.time);
    expect(dose2Times.map((time) => times.filter((x) => x === time).length)).toEqual([10, 10, 10, 10, 10, 10]);
    expect(await ledgerInvariants('near')).toMatchObject({ bad_slots: 0, bad_days: 0, doubles: 0, live_doses: 120 });
  });

  it('10 concurrent replays of one Idempotency-Key make one booking', async () => {
    await seedCampaign(t.app, { id: 'idem', institutions: ['I1'], dates: ['2026-08-20', '2026-09-10'], times: ['09:00'], doses: 50 });
    const who = await admitted(t, await person(t.app), 'idem');
    const headers = { ...who, 'idempotency-key': 'same-key' };
    const responses = await Promise.all(
      Array.from({ length: 10 }, () => t.app.inject({ method: 'POST', url: '/api/v1/campaigns/idem/bookings', headers, payload: { institutionId: 'I1', date: '2026-08-20', time: '09:00' } })),
    );
    expect(responses.map((r) => r.statusCode)).toEqual(Array(10).fill(201));
    expect(new Set(responses.map((r) => r.json().booking.id)).size).toBe(1);
    const count = await t.ctx.db.selectFrom('bookings').select(sql<number>`count(*)::int`.as('n')).where('campaign_id', '=', 'idem').executeTakeFirstOrThrow();
    expect(count.n).toBe(1);
    expect(await ledgerInvariants('idem')).toMatchObject({ bad_slots: 0, slot_booked: 2 });
  });

  it('concurrent changes and cancellations never lose or duplicate a dose', async () => {
    const times = ['09:00', '09:30', '10:00', '10:30'];
    await seedCampaign(t.app, { id: 'churn', institutions: ['K1', 'K2'], dates: ['2026-08-20', '2026-08-21', '2026-09-10', '2026-09-11'], times, doses: 6 });
    const curl = '/api/v1/campaigns/churn/bookings';
    const people = await Promise.all(Array.from({ length: 60 }, async () => {
      const session = await person(t.app);
      return { session, admission: await admitted(t, session, 'churn') };
    }));
    const booked: { who: { session: { authorization: string }; admission: { authorization: string } }; id: string }[] = [];
    await Promise.all(
      people.map(async (who, i) => {
        const res = await t.app.inject({ method: 'POST', url: curl, headers: who.admission, payload: { institutionId: i % 2 ? 'K1' : 'K2', date: i % 3 ? '2026-08-20' : '2026-08-21', time: times[i % 4] } });
        if (res.statusCode === 201) booked.push({ who, id: res.json().booking.id });
      }),
    );
    expect(booked.length).toBeGreaterThan(20);
    // Three rounds of everyone changing or cancelling at once, in criss-crossing directions.
    for (let round = 0; round < 3; round++) {
      const codes = await Promise.all(
        booked.map(async ({ who, id }, i) => {
          if ((i + round) % 7 === 0) return (await t.app.inject({ method: 'POST', url: `/api/v1/bookings/${id}/cancel`, headers: who.session })).statusCode;
          const payload = { institutionId: (i + round) % 2 ? 'K2' : 'K1', date: (i + round) % 3 ? '2026-08-21' : '2026-08-20', time: times[(i + round) % 4] };
          return (await t.app.inject({ method: 'POST', url: `/api/v1/bookings/${id}/change`, headers: who.admission, payload })).statusCode;
        }),
      );
      expect(codes.filter((c) => c >= 500)).toEqual([]);
    }
    const inv = await ledgerInvariants('churn');
    const live = await t.ctx.db.selectFrom('bookings').select(sql<number>`count(*)::int`.as('n')).where('campaign_id', '=', 'churn').where('status', '=', 'booked').executeTakeFirstOrThrow();
    expect(inv).toMatchObject({ bad_slots: 0, bad_days: 0, doubles: 0, live_doses: live.n * 2, slot_booked: live.n * 2, day_booked: live.n * 2 });
  }, 60_000);

  it('keeps operator capacity uploads consistent with bookings in flight', async () => {
    const body = [{ institutionId: 'I1', date: '2026-08-20', time: '09:00', doses: 0 }];
    const res = await t.app.inject({ method: 'POST', url: '/api/v1/admin/campaigns/idem/capacity', headers: operator, payload: body });
    expect(res.statusCode).toBe(409);
    expect(res.json().error.code).toBe('YEYAK_ERR_CAPACITY_BELOW_BOOKED');
    await ok(t.app, 'GET', '/api/v1/health');
  });
});
