import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOutboxWorker } from '../src/outbox-workers.ts';
import { LocalMessageGateway } from '../src/modules/notifications/message-gateway.ts';
import { admitted, ok, operator, seedCampaign } from './support/fixtures.ts';
import { drain } from './support/outbox-helpers.ts';
import { startTestApp, type TestApp } from './support/test-app.ts';

/**
 * The clinic portal through the API: the day's list, a dose given (→ registry outbox, local
 * registry copy), a no-show (→ barred from leftovers), stock, leftover doses published and booked
 * first come first served, with a clear "sold out" for the next citizen; every write audited.
 */
describe('clinic portal and leftover doses', () => {
  let t: TestApp;
  let staff: { authorization: string };
  let otherStaff: { authorization: string };

  const PASSWORD = 'clinic password 123';
  async function staffOf(username: string, institutionId: string) {
    await ok(t.app, 'POST', '/api/v1/admin/operators', { username, password: PASSWORD, role: 'clinic_staff', institutionId }, operator);
    return login(username);
  }
  const login = async (username: string) => ({ authorization: `Bearer ${(await ok(t.app, 'POST', '/api/v1/admin/login', { username, password: PASSWORD })).token}` });
  const citizen = async (name: string, phone: string) => ({ authorization: `Bearer ${(await ok(t.app, 'POST', '/api/v1/identity/dev', { name, birthDate: '1980-02-03', phone })).session}` });
  const book = async (who: { authorization: string }, time: string) =>
    (await ok(t.app, 'POST', '/api/v1/campaigns/clin/bookings', { institutionId: 'K1', date: '2026-08-11', time }, await admitted(t, who, 'clin'))).booking;
  const call = (method: 'GET' | 'POST' | 'PUT', url: string, headers: Record<string, string>, payload?: unknown) => t.app.inject({ method, url, headers, payload: payload as object });

  beforeAll(async () => {
    t = await startTestApp();
    await seedCampaign(t.app, { id: 'clin', institutions: ['K1', 'K2'], dates: ['2026-08-11', '2026-09-01'], times: ['09:00', '09:30'], doses: 5 });
    staff = await staffOf('k1.nurse', 'K1');
    otherStaff = await staffOf('k2.nurse', 'K2');
  });

  afterAll(async () => t.close());

  it('lists the day, records a dose given and a no-show, and refuses what is not due, not theirs or already recorded', async () => {
    const given = await citizen('한가람', '010-6100-0001');
    const missing = await citizen('두나래', '010-6100-0002');
    const b1 = await book(given, '09:00');
    const b2 = await book(missing, '09:30');

    const list = await ok(t.app, 'GET', '/api/v1/clinic/appointments?date=2026-08-11', undefined, staff);
    expect(list.institutionId).toBe('K1');
    expect(list.appointments.map((a: { id: string; time: string; status: string; personMaskedName: string }) => [a.id, a.time, a.status, a.personMaskedName])).toEqual([
      [`${b1.id}.1`, '09:00', 'booked', '한*람'],
      [`${b2.id}.1`, '09:30', 'booked', '두*래'],
    ]);
    // Another clinic's staff sees their own (empty) list and cannot touch K1's appointments.
    expect((await ok(t.app, 'GET', '/api/v1/clinic/appointments?date=2026-08-11', undefined, otherStaff)).appointments).toEqual([]);
    expect((await call('POST', `/api/v1/clinic/appointments/${b1.id}.1/given`, otherStaff)).json().error.code).toBe('YEYAK_ERR_APPOINTMENT_NOT_FOUND');
    // Other roles are not clinic staff.
    expect((await call('GET', '/api/v1/clinic/appointments', operator)).statusCode).toBe(403);
    expect((await call('POST', '/api/v1/clinic/appointments/not-an-id/given', staff)).statusCode).toBe(404);
    // Not before the appointment's day.
    expect((await call('POST', `/api/v1/clinic/appointments/${b1.id}.1/given`, staff)).json().error.code).toBe('YEYAK_ERR_APPOINTMENT_NOT_DUE');

    // The appointment's morning: a new shift, a new login (operator tokens last 8 hours).
    t.clock.set('2026-08-11T01:00:00Z');
    staff = await login('k1.nurse');
    otherStaff = await login('k2.nurse');
    expect((await ok(t.app, 'POST', `/api/v1/clinic/appointments/${b1.id}.1/given`, undefined, staff)).status).toBe('given');
    expect((await call('POST', `/api/v1/clinic/appointments/${b1.id}.1/no-show`, staff)).json().error.code).toBe('YEYAK_ERR_APPOINTMENT_ALREADY_RECORDED');
    expect((await ok(t.app, 'POST', `/api/v1/clinic/appointments/${b2.id}.1/no-show`, undefined, staff)).status).toBe('no_show');
    const after = await ok(t.app, 'GET', '/api/v1/clinic/appointments', undefined, staff);
    expect(after.date).toBe('2026-08-11');
    expect(after.appointments.map((a: { status: string }) => a.status)).toEqual(['given', 'no_show']);
    const printable = await call('GET', '/api/v1/clinic/appointments.csv', staff);
    expect(printable.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(printable.body.split('\r\n').slice(0, 3)).toEqual([
      'time,kind,dose,code,name,birth_year,vaccine,status',
      `"09:00","booking","1","${b1.code}","한*람","1980","mRNA","given"`,
      `"09:30","booking","1","${b2.code}","두*래","1980","mRNA","no_show"`,
    ]);

    // The local registry copy knows the dose at once; the registry hears through the outbox.
    const records = await t.ctx.db.selectFrom('vaccination_records').selectAll().execute();
    expect(records.map((r) => [r.vaccine, r.dose, r.administered_on])).toEqual([['mRNA', 1, '2026-08-11']]);
    const events = await t.ctx.db.selectFrom('outbox').select(['topic', 'aggregate_id']).where('topic', '=', 'dose.administered').execute();
    expect(events).toEqual([{ topic: 'dose.administered', aggregate_id: b1.id }]);
    const audit = await ok(t.app, 'GET', '/api/v1/admin/audit?limit=10', undefined, operator);
    expect(audit.entries.filter((e: { actor: string }) => e.actor !== 'operator-key').map((e: { action: string; role: string }) => [e.action, e.role])).toEqual(
      expect.arrayContaining([['clinic.dose.no_show', 'clinic_staff'], ['clinic.dose.given', 'clinic_staff']]),
    );
  });

  it('takes stock reports and publishes leftovers, never below what is booked', async () => {
    const stock = await ok(t.app, 'POST', '/api/v1/clinic/stock', { vaccine: 'mRNA', doses: 120 }, staff);
    expect(stock.stock).toEqual([{ vaccine: 'mRNA', doses: 120, source: 'clinic', reportedAt: expect.any(String) }]);
    expect((await call('POST', '/api/v1/clinic/stock', staff, { vaccine: 'mRNA', doses: -1 })).statusCode).toBe(400);
    const published = await ok(t.app, 'POST', '/api/v1/clinic/leftovers', { vaccine: 'mRNA', doses: 1 }, staff);
    expect(published).toMatchObject({ institutionId: 'K1', date: '2026-08-11', doses: 1, booked: 0, remaining: 1 });
  });

  it('lets one citizen book the last leftover dose and tells the next one it is sold out', async () => {
    const first = await citizen('세라온', '010-6100-0003');
    const second = await citizen('네오름', '010-6100-0004');
    const barred = await t.ctx.db.selectFrom('persons').select('persons.person_key').innerJoin('leftover_bars', 'leftover_bars.person_key', 'persons.person_key').execute();
    expect(barred).toHaveLength(1);

    const near = await ok(t.app, 'GET', '/api/v1/leftovers?near=37.56,126.97&radiusKm=5', undefined, first);
    expect(near.items).toHaveLength(1);
    const offer = near.items[0];
    expect(offer).toMatchObject({ institutionId: 'K1', vaccine: 'mRNA', remaining: 1 });
    // No proxy: nothing but oneself can be booked.
    expect((await call('POST', `/api/v1/leftovers/${offer.offerId}/bookings`, first, { dependentId: 'x' })).statusCode).toBe(400);

    const won = await call('POST', `/api/v1/leftovers/${offer.offerId}/bookings`, first);
    expect(won.statusCode).toBe(201);
    const lost = await call('POST', `/api/v1/leftovers/${offer.offerId}/bookings`, second);
    expect(lost.statusCode).toBe(409);
    expect(lost.json().error).toMatchObject({ code: 'YEYAK_ERR_LEFTOVER_SOLD_OUT', message: 'Sold out: every leftover dose at this clinic is taken.' });
    expect((await call('POST', `/api/v1/leftovers/${offer.offerId}/bookings`, first)).json().error.code).toBe('YEYAK_ERR_LEFTOVER_ALREADY_BOOKED');
    expect((await ok(t.app, 'GET', '/api/v1/leftovers?near=37.56,126.97', undefined, second)).items).toEqual([]);
    expect((await call('POST', '/api/v1/clinic/leftovers', staff, { vaccine: 'mRNA', doses: 0 })).json().error.code).toBe('YEYAK_ERR_LEFTOVER_BELOW_BOOKED');
    expect(await ok(t.app, 'GET', '/api/v1/me/leftover-bookings', undefined, first)).toEqual([expect.objectContaining({ institutionId: 'K1', status: 'booked', date: '2026-08-11' })]);

    // The leftover booking is on the clinic's list and can be marked given.
    const list = await ok(t.app, 'GET', '/api/v1/clinic/appointments', undefined, staff);
    const leftover = list.appointments.find((a: { kind: string }) => a.kind === 'leftover');
    expect(leftover).toMatchObject({ personMaskedName: '세*온', status: 'booked', time: null });
    expect((await ok(t.app, 'POST', `/api/v1/clinic/appointments/${leftover.id}/given`, undefined, staff)).status).toBe('given');
  });

  it('bars a person who did not show up from leftover booking', async () => {
    const missing = { authorization: (await citizen('두나래', '010-6100-0002')).authorization };
    const published = await ok(t.app, 'POST', '/api/v1/clinic/leftovers', { vaccine: 'mRNA', doses: 3 }, staff);
    const res = await call('POST', `/api/v1/leftovers/${published.offerId}/bookings`, missing);
    expect(res.statusCode).toBe(403);
    expect(res.json().error.code).toBe('YEYAK_ERR_LEFTOVER_BARRED');
  });

  it('alerts at most five chosen clinics when they publish leftovers, once per publication', async () => {
    const watcher = await citizen('살핌이', '010-6100-0005');
    expect((await call('PUT', '/api/v1/me/leftover-alerts', watcher, { institutionIds: ['K1', 'K2', 'a', 'b', 'c', 'd'] })).json().error.code).toBe('YEYAK_ERR_LEFTOVER_ALERTS_LIMIT');
    expect((await call('PUT', '/api/v1/me/leftover-alerts', watcher, { institutionIds: ['K1', 'NOPE'] })).json().error.code).toBe('YEYAK_ERR_INSTITUTION_NOT_FOUND');
    expect((await call('PUT', '/api/v1/me/leftover-alerts', watcher, { institutionIds: ['K2', 'K1'] })).json()).toEqual({ institutionIds: ['K1', 'K2'] });
    expect(await ok(t.app, 'GET', '/api/v1/me/leftover-alerts', undefined, watcher)).toEqual({ institutionIds: ['K1', 'K2'] });

    const worker = createOutboxWorker(t.ctx);
    await drain(t, worker, 'messages');
    const inbox = () => (t.ctx.messages as LocalMessageGateway).inbox('010-6100-0005').filter((m) => m.template === 'leftover.alert');
    const before = inbox().length;
    await ok(t.app, 'POST', '/api/v1/clinic/leftovers', { vaccine: 'mRNA', doses: 4 }, otherStaff);
    await drain(t, worker, 'messages');
    await drain(t, worker, 'messages');
    expect(inbox().length - before).toBe(1);
    expect(inbox()[0]!.text).toBe('[예약] K2 내과의원에 오늘 잔여백신 4회분이 있습니다. 선착순입니다.');
  });
  it('answers a retried leftover booking with the same Idempotency-Key as the first time, and stores only successes', async () => {
    const near = await ok(t.app, 'GET', '/api/v1/leftovers?near=37.56,126.97&radiusKm=50', undefined, await citizen('찾는이', '010-6100-0009'));
    const k2 = near.items.find((o: { institutionId: string }) => o.institutionId === 'K2');
    const k1 = near.items.find((o: { institutionId: string }) => o.institutionId === 'K1');
    expect(k2?.remaining).toBeGreaterThan(1);
    expect(k1).toBeDefined();
    const retrying = await citizen('다시온', '010-6100-0010');
    const withKey = (key: string) => ({ ...retrying, 'idempotency-key': key });

    const first = await call('POST', `/api/v1/leftovers/${k2.offerId}/bookings`, withKey('leftover-key-1'));
    expect(first.statusCode).toBe(201);
    const again = await call('POST', `/api/v1/leftovers/${k2.offerId}/bookings`, withKey('leftover-key-1'));
    expect(again.statusCode).toBe(201);
    expect(again.json()).toEqual(first.json());
    // The same key for another request is refused; a retry without the key is a second booking attempt.
    const other = await call('POST', `/api/v1/leftovers/${k1.offerId}/bookings`, withKey('leftover-key-1'));
    expect(other.statusCode).toBe(422);
    expect(other.json().error.code).toBe('YEYAK_ERR_IDEMPOTENCY_MISMATCH');
    expect((await call('POST', `/api/v1/leftovers/${k2.offerId}/bookings`, retrying)).json().error.code).toBe('YEYAK_ERR_LEFTOVER_ALREADY_BOOKED');
    expect(await ok(t.app, 'GET', '/api/v1/me/leftover-bookings', undefined, retrying)).toEqual([expect.objectContaining({ id: first.json().leftoverBooking.id, institutionId: 'K2' })]);
    const events = await t.ctx.db.selectFrom('outbox').select('id').where('aggregate_id', '=', `leftover:${first.json().leftoverBooking.id}`).execute();
    expect(events).toHaveLength(1);

    // A refusal is not stored: the key is free for the request that then succeeds.
    const unlucky = await citizen('늦은이', '010-6100-0011');
    const refused = await call('POST', '/api/v1/leftovers/00000000-0000-4000-8000-000000000000/bookings', { ...unlucky, 'idempotency-key': 'leftover-key-2' });
    expect(refused.json().error.code).toBe('YEYAK_ERR_LEFTOVER_NOT_FOUND');
    expect((await call('POST', `/api/v1/leftovers/${k2.offerId}/bookings`, { ...unlucky, 'idempotency-key': 'leftover-key-2' })).statusCode).toBe(201);
    // A key is checked like any header: printable ASCII, at most 128 characters.
    expect((await call('POST', `/api/v1/leftovers/${k2.offerId}/bookings`, { ...unlucky, 'idempotency-key': 'x'.repeat(129) })).statusCode).toBe(400);
  });
});
