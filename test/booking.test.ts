import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { admitted, ok, operator, person, personKeyOfSession, seedCampaign } from './support/fixtures.ts';
import { startTestApp, type TestApp } from './support/test-app.ts';

// Server time 2026-08-10 11:00 Seoul; the open window runs 2026-08-09 20:00 → 2026-09-30 18:00.
let t: TestApp;
const C = 'book';
const url = `/api/v1/campaigns/${C}/bookings`;

beforeAll(async () => {
  t = await startTestApp({ now: '2026-08-10T02:00:00Z' });
  // Dose 1 on 08-20; dose 2 (21 days later) on 09-10. 09:00 and 09:30 slots, 2 doses each.
  await seedCampaign(t.app, { id: C, institutions: ['B1', 'B2'], dates: ['2026-08-20', '2026-09-10'], times: ['09:00', '09:30'], doses: 2 });
});
afterAll(() => t.close());

async function slotBooked(institutionId: string, date: string, time: string): Promise<number> {
  const [h, m] = time.split(':').map(Number);
  const row = await t.ctx.db
    .selectFrom('capacity_slots')
    .select('booked')
    .where('campaign_id', '=', C)
    .where('institution_id', '=', institutionId)
    .where('date', '=', date)
    .where('minute', '=', h! * 60 + m!)
    .executeTakeFirstOrThrow();
  return row.booked;
}

describe('booking both doses', () => {
  it('books dose 1 and dose 2 at the same clinic and time, 21 days apart', async () => {
    const who = await person(t.app);
    const res = await t.app.inject({ method: 'POST', url, headers: await admitted(t, who, C), payload: { institutionId: 'B1', date: '2026-08-20', time: '09:00' } });
    expect(res.statusCode).toBe(201);
    const { booking } = res.json();
    expect(booking.code).toMatch(/^[0-9A-Z]{4}-[0-9A-Z]{4}$/);
    expect(booking.status).toBe('booked');
    expect(booking.doses).toEqual([
      { dose: 1, institutionId: 'B1', date: '2026-08-20', time: '09:00' },
      { dose: 2, institutionId: 'B1', date: '2026-09-10', time: '09:00' },
    ]);
    expect(await slotBooked('B1', '2026-09-10', '09:00')).toBe(1);
    const outbox = await t.ctx.db.selectFrom('outbox').select(['topic', 'aggregate_id']).where('aggregate_id', '=', booking.id).execute();
    expect(outbox).toEqual([{ topic: 'booking.created', aggregate_id: booking.id }]);
  });

  it('knows the person from the seal the admission carries, without reading persons', async () => {
    await seedCampaign(t.app, { id: 'seal', institutions: ['S9'], dates: ['2026-08-26', '2026-09-16'], times: ['14:00'], doses: 1 });
    const who = await person(t.app, '1968-03-03', '봉인된');
    const admission = await admitted(t, who, 'seal');
    const claims = JSON.parse(Buffer.from(admission.authorization.split('.')[1]!, 'base64url').toString()) as Record<string, unknown>;
    expect(typeof claims.pd).toBe('string');
    expect(String(claims.pd)).not.toContain('1968');
    // The row says something else now: the answer still names the person as sealed at sign-in.
    const me = await ok(t.app, 'GET', '/api/v1/me', undefined, who);
    await ok(t.app, 'PUT', '/api/v1/me/message-language', { language: 'ko' }, who);
    const changed = await t.ctx.db.updateTable('persons').set({ masked_name: '바뀜' }).where('masked_name', '=', me.person.maskedName).executeTakeFirst();
    expect(changed.numUpdatedRows).toBe(1n);
    const choice = { institutionId: 'S9', date: '2026-08-26', time: '14:00' };
    const { booking } = await ok(t.app, 'POST', '/api/v1/campaigns/seal/bookings', choice, admission);
    expect(booking.personMaskedName).toBe(me.person.maskedName);
    expect(booking.personMaskedName).not.toBe('바뀜');
  });

  it('records the person in the booking statement when it is their first need of a record, and only then', async () => {
    await seedCampaign(t.app, { id: 'rec', institutions: ['R1'], dates: ['2026-08-27', '2026-09-17'], times: ['15:00'], doses: 1 });
    const who = await person(t.app, '1967-07-07', '처음예약');
    const personKey = personKeyOfSession(who);
    const record = () => t.ctx.db.selectFrom('persons').select(['phone_enc', 'verified_at']).where('person_key', '=', personKey).execute();
    expect(await record()).toEqual([]);
    const choice = { institutionId: 'R1', date: '2026-08-27', time: '15:00' };
    const admission = { ...(await admitted(t, who, 'rec')), 'idempotency-key': 'first-need' };
    await ok(t.app, 'POST', '/api/v1/campaigns/rec/bookings', choice, admission);
    const [row] = await record();
    expect(row?.verified_at).not.toBeNull();
    expect(t.ctx.crypto.decrypt(row!.phone_enc!, `persons.phone:${personKey}`)).toMatch(/^010/);
    // A replay records nothing new; a refused booking (sold out) records nobody.
    const version = async () => (await sql<{ v: string }>`SELECT xmin::text AS v FROM persons WHERE person_key = ${personKey}`.execute(t.ctx.db)).rows[0]?.v;
    const before = await version();
    await ok(t.app, 'POST', '/api/v1/campaigns/rec/bookings', choice, admission);
    expect(await version()).toBe(before);
    const late = await person(t.app, '1967-08-08', '매진');
    const lateKey = personKeyOfSession(late);
    const refused = await t.app.inject({ method: 'POST', url: '/api/v1/campaigns/rec/bookings', headers: await admitted(t, late, 'rec'), payload: choice });
    expect(refused.json().error.code).toBe('YEYAK_ERR_SOLD_OUT');
    expect(await t.ctx.db.selectFrom('persons').select('person_key').where('person_key', '=', lateKey).execute()).toEqual([]);
  });

  it('takes the nearest free time for dose 2 when the same time is full', async () => {
    // B1 09:00 on 09-10 has 1 left: a second booking at 09:00 fills it.
    const filler = await person(t.app);
    await ok(t.app, 'POST', url, { institutionId: 'B1', date: '2026-08-20', time: '09:00' }, await admitted(t, filler, C));
    const who = await person(t.app);
    const { booking } = await ok(t.app, 'POST', url, { institutionId: 'B1', date: '2026-08-20', time: '09:30' }, await admitted(t, who, C));
    expect(booking.doses[1]).toEqual({ dose: 2, institutionId: 'B1', date: '2026-09-10', time: '09:30' });
  });

  it('records the time a later dose moved to in the outbox event and in the answer a replay gets', async () => {
    // Dose 1's day has 2 doses at 10:00; dose 2's day 1 at 10:00 and 1 at 10:30.
    await seedCampaign(t.app, { id: 'mov', institutions: ['M1'], dates: ['2026-08-24'], times: ['10:00'], doses: 2 });
    const dose2Day = [{ institutionId: 'M1', date: '2026-09-14', time: '10:00', doses: 1 }, { institutionId: 'M1', date: '2026-09-14', time: '10:30', doses: 1 }];
    await ok(t.app, 'POST', '/api/v1/admin/campaigns/mov/capacity', dose2Day, operator);
    const movUrl = '/api/v1/campaigns/mov/bookings';
    const body = { institutionId: 'M1', date: '2026-08-24', time: '10:00' };
    await ok(t.app, 'POST', movUrl, body, await admitted(t, await person(t.app), 'mov'));
    const headers = { ...(await admitted(t, await person(t.app), 'mov')), 'idempotency-key': 'moved-1' };
    const first = await t.app.inject({ method: 'POST', url: movUrl, headers, payload: body });
    expect(first.statusCode).toBe(201);
    const { booking } = first.json();
    expect(booking.doses.map((d: { time: string }) => d.time)).toEqual(['10:00', '10:30']);
    const again = await t.app.inject({ method: 'POST', url: movUrl, headers, payload: body });
    expect(again.statusCode).toBe(201);
    expect(again.json()).toEqual(first.json());
    const event = await t.ctx.db.selectFrom('outbox').select('payload').where('aggregate_id', '=', booking.id).executeTakeFirstOrThrow();
    // What the consumers read, no more: the booking is the event's aggregate, its code in its row.
    expect(event.payload).toEqual({ campaignId: 'mov', doses: [{ dose: 1, institutionId: 'M1', date: '2026-08-24', minute: 600 }, { dose: 2, institutionId: 'M1', date: '2026-09-14', minute: 630 }] });
    const doses = await t.ctx.db.selectFrom('booking_doses').select(['dose', 'minute']).where('booking_id', '=', booking.id).orderBy('dose').execute();
    expect(doses).toEqual([{ dose: 1, minute: 600 }, { dose: 2, minute: 630 }]);
  });

  it('takes both doses or neither', async () => {
    // Dose 1's day has 2 doses, dose 2's day only 1: the second person gets neither.
    await seedCampaign(t.app, { id: 'bon', institutions: ['Y1'], dates: ['2026-08-22'], times: ['11:00'], doses: 2 });
    await ok(t.app, 'POST', '/api/v1/admin/campaigns/bon/capacity', [{ institutionId: 'Y1', date: '2026-09-12', time: '11:00', doses: 1 }], operator);
    await ok(t.app, 'POST', '/api/v1/campaigns/bon/bookings', { institutionId: 'Y1', date: '2026-08-22', time: '11:00' }, await admitted(t, await person(t.app), 'bon'));
    const res = await t.app.inject({ method: 'POST', url: '/api/v1/campaigns/bon/bookings', headers: await admitted(t, await person(t.app), 'bon'), payload: { institutionId: 'Y1', date: '2026-08-22', time: '11:00' } });
    expect(res.statusCode).toBe(409);
    expect(res.json().error).toMatchObject({ code: 'YEYAK_ERR_SOLD_OUT', details: { dose: 2 } });
    const slots = await t.ctx.db.selectFrom('capacity_slots').select(['date', 'booked']).where('campaign_id', '=', 'bon').orderBy('date').execute();
    expect(slots).toEqual([{ date: '2026-08-22', booked: 1 }, { date: '2026-09-12', booked: 1 }]);
    const days = await t.ctx.db.selectFrom('clinic_days').select(['date', 'booked']).where('campaign_id', '=', 'bon').orderBy('date').execute();
    expect(days).toEqual([{ date: '2026-08-22', booked: 1 }, { date: '2026-09-12', booked: 1 }]);
  });

  it('stores no answer for a refused attempt: a retry with the same Idempotency-Key books once doses are back', async () => {
    // 'bon' from the test above: dose 2's day (09-12) is full.
    const headers = { ...(await admitted(t, await person(t.app), 'bon')), 'idempotency-key': 'bon-retry' };
    const body = { institutionId: 'Y1', date: '2026-08-22', time: '11:00' };
    const refused = await t.app.inject({ method: 'POST', url: '/api/v1/campaigns/bon/bookings', headers, payload: body });
    expect(refused.statusCode).toBe(409);
    expect(refused.json().error).toMatchObject({ code: 'YEYAK_ERR_SOLD_OUT', details: { dose: 2, date: '2026-09-12' } });
    const claims = await t.ctx.db.selectFrom('idempotency_keys').select('key').where('key', '=', 'bon-retry').execute();
    expect(claims).toEqual([]);
    await ok(t.app, 'POST', '/api/v1/admin/campaigns/bon/capacity', [{ institutionId: 'Y1', date: '2026-09-12', time: '11:00', doses: 2 }], operator);
    const booked = await t.app.inject({ method: 'POST', url: '/api/v1/campaigns/bon/bookings', headers, payload: body });
    expect(booked.statusCode).toBe(201);
    const slots = await t.ctx.db.selectFrom('capacity_slots').select(['date', 'booked']).where('campaign_id', '=', 'bon').orderBy('date').execute();
    expect(slots).toEqual([{ date: '2026-08-22', booked: 2 }, { date: '2026-09-12', booked: 2 }]);
  });

  it('refuses a second live booking of the same person, enforced by the database', async () => {
    const who = await person(t.app);
    await ok(t.app, 'POST', url, { institutionId: 'B2', date: '2026-08-20', time: '09:00' }, await admitted(t, who, C));
    const res = await t.app.inject({ method: 'POST', url, headers: await admitted(t, who, C), payload: { institutionId: 'B2', date: '2026-08-20', time: '09:30' } });
    expect(res.statusCode).toBe(409);
    expect(res.json().error.code).toBe('YEYAK_ERR_ALREADY_BOOKED');
    expect(await slotBooked('B2', '2026-08-20', '09:30')).toBe(0);
    await expect(
      sql`INSERT INTO bookings (id, code, campaign_id, person_key, window_id, status, created_at, updated_at)
          SELECT gen_random_uuid(), 'ZZZZ-ZZZZ', campaign_id, person_key, window_id, 'booked', now(), now() FROM bookings WHERE campaign_id = ${C} LIMIT 1`.execute(t.ctx.db),
    ).rejects.toThrow();
  });

  it('answers a replayed Idempotency-Key with the same booking and a reused one with 422', async () => {
    const who = await person(t.app);
    const headers = { ...(await admitted(t, who, C)), 'idempotency-key': 'key-1' };
    const body = { institutionId: 'B2', date: '2026-08-20', time: '09:30' };
    const first = await t.app.inject({ method: 'POST', url, headers, payload: body });
    // The same request with its keys in another order (another client's JSON) is the same request.
    const again = await t.app.inject({ method: 'POST', url, headers: { ...headers, 'content-type': 'application/json' }, payload: '{"time":"09:30","date":"2026-08-20","institutionId":"B2"}' });
    expect(first.statusCode).toBe(201);
    expect(again.statusCode).toBe(201);
    expect(again.json()).toEqual(first.json());
    // Days later — the first dose's day has passed — a replay still answers as the first time did.
    const idem = { name: '재시도', birthDate: '1971-01-01', phone: '010-7777-0001' };
    const login = async () => ({ ...(await admitted(t, { authorization: `Bearer ${(await ok(t.app, 'POST', '/api/v1/identity/dev', idem)).session}` }, C)), 'idempotency-key': 'key-2' });
    const first2 = await t.app.inject({ method: 'POST', url, headers: await login(), payload: body });
    expect(first2.statusCode).toBe(201);
    t.clock.set('2026-08-21T02:00:00Z');
    const late = await t.app.inject({ method: 'POST', url, headers: await login(), payload: body });
    t.clock.set('2026-08-10T02:00:00Z');
    expect(late.statusCode).toBe(201);
    expect(late.json()).toEqual(first2.json());
    const other = await t.app.inject({ method: 'POST', url, headers, payload: { ...body, time: '09:00' } });
    expect(other.statusCode).toBe(422);
    expect(other.json().error.code).toBe('YEYAK_ERR_IDEMPOTENCY_MISMATCH');
  });

  it('refuses a first dose today or in the past', async () => {
    const who = await person(t.app);
    const res = await t.app.inject({ method: 'POST', url, headers: await admitted(t, who, C), payload: { institutionId: 'B2', date: '2026-08-10', time: '09:00' } });
    expect(res.statusCode).toBe(409);
    expect(res.json().error.code).toBe('YEYAK_ERR_OUTSIDE_WINDOW');
  });

  it('refuses people outside the cohort and without a session', async () => {
    const young = await person(t.app, '2010-01-01');
    // Refused a place in the queue, so never admitted; a session alone books nothing.
    const ticket = await t.app.inject({ method: 'POST', url: `/api/v1/campaigns/${C}/queue/tickets`, headers: young });
    expect(ticket.statusCode).toBe(403);
    expect(ticket.json().error).toMatchObject({ code: 'YEYAK_ERR_NOT_ELIGIBLE', details: { reason: 'NOT_IN_COHORT' } });
    const res = await t.app.inject({ method: 'POST', url, headers: young, payload: { institutionId: 'B2', date: '2026-08-20', time: '09:00' } });
    expect(res.statusCode).toBe(401);
    expect(res.json().error.code).toBe('YEYAK_ERR_ADMISSION_REQUIRED');
    const anon = await t.app.inject({ method: 'POST', url, payload: { institutionId: 'B2', date: '2026-08-20', time: '09:00' } });
    expect(anon.statusCode).toBe(401);
    const forged = await t.app.inject({ method: 'POST', url, headers: { authorization: 'Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.' }, payload: {} });
    expect(forged.statusCode).toBe(401);
  });
});

describe('cancel and change', () => {
  it('cancels up to 2 days before and frees both doses', async () => {
    const who = await person(t.app);
    const { booking } = await ok(t.app, 'POST', url, { institutionId: 'B2', date: '2026-08-20', time: '09:00' }, await admitted(t, who, C));
    const before = await slotBooked('B2', '2026-09-10', '09:00');
    const res = await ok(t.app, 'POST', `/api/v1/bookings/${booking.id}/cancel`, undefined, who);
    expect(res.booking.status).toBe('cancelled');
    expect(await slotBooked('B2', '2026-09-10', '09:00')).toBe(before - 1);
    const twice = await t.app.inject({ method: 'POST', url: `/api/v1/bookings/${booking.id}/cancel`, headers: who });
    expect(twice.json().error.code).toBe('YEYAK_ERR_BOOKING_NOT_ACTIVE');
    // After cancelling, the person may book again.
    await ok(t.app, 'POST', url, { institutionId: 'B2', date: '2026-08-20', time: '09:00' }, await admitted(t, who, C));
  });

  it('closes self-service at midnight Seoul two days before the appointment', async () => {
    await seedCampaign(t.app, { id: 'ss', institutions: ['S1'], dates: ['2026-08-20', '2026-09-10'], times: ['12:00'], doses: 5 });
    t.clock.set('2026-08-18T14:30:00Z'); // 08-18 23:30 Seoul (the session lasts an hour)
    const who = await person(t.app);
    const { booking } = await ok(t.app, 'POST', '/api/v1/campaigns/ss/bookings', { institutionId: 'S1', date: '2026-08-20', time: '12:00' }, await admitted(t, who, 'ss'));
    t.clock.set('2026-08-18T15:00:00.000Z'); // 08-19 00:00 Seoul: the day before → closed
    const late = await t.app.inject({ method: 'POST', url: `/api/v1/bookings/${booking.id}/cancel`, headers: who });
    expect(late.statusCode).toBe(403);
    expect(late.json().error.code).toBe('YEYAK_ERR_SELF_SERVICE_CLOSED');
    t.clock.set('2026-08-18T14:59:59.999Z'); // 08-18 23:59:59.999 Seoul: still allowed
    const inTime = await t.app.inject({ method: 'POST', url: `/api/v1/bookings/${booking.id}/cancel`, headers: who });
    expect(inTime.statusCode).toBe(200);
    t.clock.set('2026-08-10T02:00:00Z');
  });

  it('a change that cannot get its new slots keeps the old ones', async () => {
    // A fresh clinic with one dose per slot.
    await seedCampaign(t.app, { id: 'chg', institutions: ['X1'], dates: ['2026-08-21', '2026-09-11'], times: ['10:00', '10:30'], doses: 1 });
    const curl = '/api/v1/campaigns/chg/bookings';
    const a = await person(t.app);
    const b = await person(t.app);
    const { booking: ba } = await ok(t.app, 'POST', curl, { institutionId: 'X1', date: '2026-08-21', time: '10:00' }, await admitted(t, a, 'chg'));
    await ok(t.app, 'POST', curl, { institutionId: 'X1', date: '2026-08-21', time: '10:30' }, await admitted(t, b, 'chg'));
    const refused = await t.app.inject({ method: 'POST', url: `/api/v1/bookings/${ba.id}/change`, headers: await admitted(t, a, 'chg'), payload: { institutionId: 'X1', date: '2026-08-21', time: '10:30' } });
    expect(refused.statusCode).toBe(409);
    const mine = await ok(t.app, 'GET', '/api/v1/bookings', undefined, a);
    expect(mine[0].doses[0]).toEqual({ dose: 1, institutionId: 'X1', date: '2026-08-21', time: '10:00' });
    const slots = await t.ctx.db.selectFrom('capacity_slots').select(['minute', 'booked']).where('campaign_id', '=', 'chg').where('date', '=', '2026-08-21').orderBy('minute').execute();
    expect(slots).toEqual([{ minute: 600, booked: 1 }, { minute: 630, booked: 1 }]);
    // Cancelling b frees 10:30; now the change goes through and frees 10:00.
    const bookingsB = await ok(t.app, 'GET', '/api/v1/bookings', undefined, b);
    await ok(t.app, 'POST', `/api/v1/bookings/${bookingsB[0].id}/cancel`, undefined, b);
    const changed = await ok(t.app, 'POST', `/api/v1/bookings/${ba.id}/change`, { institutionId: 'X1', date: '2026-08-21', time: '10:30' }, await admitted(t, a, 'chg'));
    expect(changed.booking.doses.map((d: { time: string }) => d.time)).toEqual(['10:30', '10:30']);
    const after = await t.ctx.db.selectFrom('capacity_slots').select(['date', 'minute', 'booked']).where('campaign_id', '=', 'chg').orderBy('date').orderBy('minute').execute();
    expect(after.map((s) => s.booked)).toEqual([0, 1, 0, 1]);
  });

  it('hides other people\'s bookings', async () => {
    await seedCampaign(t.app, { id: 'own', institutions: ['O1'], dates: ['2026-08-20', '2026-09-10'], times: ['09:00'], doses: 5 });
    const a = await person(t.app);
    const b = await person(t.app);
    const { booking } = await ok(t.app, 'POST', '/api/v1/campaigns/own/bookings', { institutionId: 'O1', date: '2026-08-20', time: '09:00' }, await admitted(t, a, 'own'));
    const res = await t.app.inject({ method: 'POST', url: `/api/v1/bookings/${booking.id}/cancel`, headers: b });
    expect(res.statusCode).toBe(404);
    expect(await ok(t.app, 'GET', '/api/v1/bookings', undefined, b)).toEqual([]);
  });
});
