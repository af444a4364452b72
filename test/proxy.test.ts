import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { admitted, ok, seedCampaign } from './support/fixtures.ts';
import { startTestApp, type TestApp } from './support/test-app.ts';

let t: TestApp;
let n = 0;
async function signIn(birthDate: string, name?: string, phone?: string) {
  n += 1;
  const body = { name: name ?? `보호자${n}`, birthDate, phone: phone ?? `010-5000-${String(n).padStart(4, '0')}` };
  const { session } = await ok(t.app, 'POST', '/api/v1/identity/dev', body);
  return { authorization: `Bearer ${session}` };
}

beforeAll(async () => {
  t = await startTestApp({ now: '2026-08-10T02:00:00Z' });
  // Proxies allowed for the 60+ campaign, forbidden for the adults' one.
  const seniors = { cohort: { bornFrom: '1900-01-01', bornTo: '1966-12-31' }, proxyAllowed: true };
  await seedCampaign(t.app, { id: 'sixty', institutions: ['P1'], dates: ['2026-08-25', '2026-09-15'], times: ['10:00'], doses: 20, campaign: seniors });
  await seedCampaign(t.app, { id: 'adults', institutions: ['P2'], dates: ['2026-08-25', '2026-09-15'], times: ['10:00'], doses: 20, campaign: { proxyAllowed: false } });
});
afterAll(() => t.close());

const parent = { name: '박순자', birthDate: '1950-10-01', phone: '010-6000-0001', relationship: 'parent' };

describe('proxy booking', () => {
  it('an adult registers a parent and books for them; the booking is the parent\'s and both see it', async () => {
    const child = await signIn('1980-05-05');
    const { dependent } = await ok(t.app, 'POST', '/api/v1/me/dependents', parent, child);
    expect(dependent).toMatchObject({ maskedName: '박*자', birthDate: '1950-10-01', relationship: 'parent' });
    expect(await ok(t.app, 'GET', '/api/v1/me/dependents', undefined, child)).toEqual([dependent]);
    const { booking } = await ok(t.app, 'POST', '/api/v1/campaigns/sixty/bookings', { institutionId: 'P1', date: '2026-08-25', time: '10:00', dependentId: dependent.id }, await admitted(t, child, 'sixty', dependent.id));
    expect(booking.personMaskedName).toBe('박*자');
    // The guardian (born 1980) is outside the 60+ cohort: eligibility was the parent's.
    const childView = await ok(t.app, 'GET', '/api/v1/bookings', undefined, child);
    expect(childView.map((b: { id: string }) => b.id)).toEqual([booking.id]);
    // The guardian's list names whose booking it is: the dependent's masked name, read from their record.
    expect(childView[0].personMaskedName).toBe('박*자');
    // The parent signs in themselves and sees their booking; it holds their one live booking.
    const parentSession = await signIn(parent.birthDate, parent.name, parent.phone);
    const parentView = await ok(t.app, 'GET', '/api/v1/bookings', undefined, parentSession);
    expect(parentView.map((b: { id: string }) => b.id)).toEqual([booking.id]);
    const again = await t.app.inject({ method: 'POST', url: '/api/v1/campaigns/sixty/bookings', headers: await admitted(t, parentSession, 'sixty'), payload: { institutionId: 'P1', date: '2026-08-25', time: '10:00' } });
    expect(again.json().error.code).toBe('YEYAK_ERR_ALREADY_BOOKED');
    const row = await t.ctx.db.selectFrom('bookings').select('booked_by').where('id', '=', booking.id).executeTakeFirstOrThrow();
    expect(row.booked_by).toMatch(/^guardian:/);
    // The guardian can cancel it for them.
    const cancelled = await ok(t.app, 'POST', `/api/v1/bookings/${booking.id}/cancel`, undefined, child);
    expect(cancelled.booking.status).toBe('cancelled');
  });

  it('is refused where the campaign forbids proxies, and for someone who is not a dependent', async () => {
    const child = await signIn('1981-06-06');
    const { dependent } = await ok(t.app, 'POST', '/api/v1/me/dependents', { ...parent, phone: '010-6000-0002', name: '김부모' }, child);
    const forbidden = await t.app.inject({ method: 'POST', url: '/api/v1/campaigns/adults/queue/tickets', headers: child, payload: { dependentId: dependent.id } });
    expect(forbidden.statusCode).toBe(403);
    expect(forbidden.json().error.code).toBe('YEYAK_ERR_PROXY_NOT_ALLOWED');
    const stranger = await signIn('1982-07-07');
    const notMine = await t.app.inject({ method: 'POST', url: '/api/v1/campaigns/sixty/queue/tickets', headers: stranger, payload: { dependentId: dependent.id } });
    expect(notMine.statusCode).toBe(404);
    expect(notMine.json().error.code).toBe('YEYAK_ERR_DEPENDENT_NOT_FOUND');
    const slot = await t.ctx.db.selectFrom('capacity_slots').select('booked').where('campaign_id', '=', 'adults').where('date', '=', '2026-08-25').executeTakeFirstOrThrow();
    expect(slot.booked).toBe(0);
  });

  it('limits dependents per guardian and refuses minors as guardians', async () => {
    const busy = await signIn('1975-01-01');
    for (let i = 0; i < 4; i++) await ok(t.app, 'POST', '/api/v1/me/dependents', { ...parent, name: `가족${i}`, phone: `010-6100-000${i}` }, busy);
    const fifth = await t.app.inject({ method: 'POST', url: '/api/v1/me/dependents', headers: busy, payload: { ...parent, name: '가족4', phone: '010-6100-0004' } });
    expect(fifth.statusCode).toBe(409);
    expect(fifth.json().error.code).toBe('YEYAK_ERR_DEPENDENT_LIMIT');
    // Registering the same dependent again is not a new one.
    await ok(t.app, 'POST', '/api/v1/me/dependents', { ...parent, name: '가족0', phone: '010-6100-0000' }, busy);
    const minor = await signIn('2010-01-01');
    const res = await t.app.inject({ method: 'POST', url: '/api/v1/me/dependents', headers: minor, payload: { ...parent, phone: '010-6200-0000' } });
    expect(res.statusCode).toBe(403);
    const bad = await t.app.inject({ method: 'POST', url: '/api/v1/me/dependents', headers: busy, payload: { ...parent, relationship: 'boss' } });
    expect(bad.statusCode).toBe(400);
  });
});
