import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { admitted, ok, openCampaign, operator, person, seedCampaign } from './support/fixtures.ts';
import { startTestApp, type TestApp } from './support/test-app.ts';

let t: TestApp;
const C = 'avail';
beforeAll(async () => {
  t = await startTestApp({ now: '2026-08-10T02:00:00Z' });
  const institutions = Array.from({ length: 7 }, (_, i) => `A${i}`);
  await seedCampaign(t.app, { id: C, institutions, dates: ['2026-08-10', '2026-08-20', '2026-09-10'], times: ['09:00', '09:30'], doses: 3 });
});
afterAll(() => t.close());

describe('availability', () => {
  it('lists clinics by region with remaining doses per bookable date, page by page', async () => {
    const who = await admitted(t, await person(t.app), C);
    const first = await ok(t.app, 'GET', `/api/v1/campaigns/${C}/institutions?sido=${encodeURIComponent('서울특별시')}&limit=4`, undefined, who);
    expect(first.items).toHaveLength(4);
    // Today (08-10) is not bookable; the list covers the next 28 days (09-10 is beyond it).
    expect(first.items[0].dates).toEqual([{ date: '2026-08-20', remaining: 6 }]);
    const second = await ok(t.app, 'GET', `/api/v1/campaigns/${C}/institutions?sido=${encodeURIComponent('서울특별시')}&limit=4&cursor=${first.next}`, undefined, who);
    expect(second.items).toHaveLength(3);
    expect(second.next).toBeNull();
    const ids = [...first.items, ...second.items].map((i: { id: string }) => i.id);
    expect(new Set(ids).size).toBe(7);
    const none = await ok(t.app, 'GET', `/api/v1/campaigns/${C}/institutions?sido=${encodeURIComponent('부산광역시')}`, undefined, who);
    expect(none.items).toEqual([]);
  });

  it('orders by distance from a point and reflects bookings at once', async () => {
    const who = await admitted(t, await person(t.app), C);
    const near = await ok(t.app, 'GET', `/api/v1/campaigns/${C}/institutions?near=37.563,126.973&limit=3`, undefined, who);
    const distances = near.items.map((i: { distanceKm: number }) => i.distanceKm);
    expect(distances).toEqual([...distances].sort((a, b) => a - b));
    expect(near.items[0].id).toBe('A3');
    const page2 = await ok(t.app, 'GET', `/api/v1/campaigns/${C}/institutions?near=37.563,126.973&limit=3&cursor=${near.next}`, undefined, who);
    expect(page2.items[0].distanceKm).toBeGreaterThanOrEqual(distances[2]);
    await ok(t.app, 'POST', `/api/v1/campaigns/${C}/bookings`, { institutionId: 'A3', date: '2026-08-20', time: '09:00' }, who);
    const after = await ok(t.app, 'GET', `/api/v1/campaigns/${C}/institutions?near=37.563,126.973&limit=1&date=2026-08-20`, undefined, who);
    expect(after.items[0].dates).toEqual([{ date: '2026-08-20', remaining: 5 }]);
    const slots = await ok(t.app, 'GET', `/api/v1/campaigns/${C}/institutions/A3/slots?from=2026-08-20&to=2026-08-20`, undefined, who);
    expect(slots).toEqual([{ date: '2026-08-20', time: '09:00', remaining: 2 }, { date: '2026-08-20', time: '09:30', remaining: 3 }]);
  });

  it('finds across a province the few clinics with a dose left on a date, page by page', async () => {
    const P = 'province';
    const ids = Array.from({ length: 9 }, (_, i) => `P${i}`);
    await seedCampaign(t.app, { id: P, institutions: ids, dates: ['2026-08-20', '2026-09-10'], times: ['09:00'], doses: 2 });
    // The date sells out everywhere but three clinics (their operators set its capacity to 0).
    const open = ['P2', 'P5', 'P7'];
    const closing = ids.filter((id) => !open.includes(id)).map((institutionId) => ({ institutionId, date: '2026-08-20', time: '09:00', doses: 0 }));
    await ok(t.app, 'POST', `/api/v1/admin/campaigns/${P}/capacity`, closing, operator);
    const who = await admitted(t, await person(t.app), P);
    const search = (query: string) => ok(t.app, 'GET', `/api/v1/campaigns/${P}/institutions?sido=${encodeURIComponent('서울특별시')}${query}`, undefined, who);
    const everyone = (await search('&limit=50')).items.map((i: { id: string }) => i.id);
    expect(everyone).toHaveLength(9);
    const found: { id: string; dates: unknown }[] = [];
    let page = await search('&date=2026-08-20&limit=2');
    found.push(...page.items);
    while (page.next) {
      page = await search(`&date=2026-08-20&limit=2&cursor=${page.next}`);
      found.push(...page.items);
    }
    expect(found.map((i) => i.id)).toEqual(everyone.filter((id: string) => open.includes(id)));
    for (const item of found) expect(item.dates).toEqual([{ date: '2026-08-20', remaining: 2 }]);
  });

  it('answers bad queries with 4xx codes', async () => {
    const who = await admitted(t, await person(t.app), C);
    const base = `/api/v1/campaigns/${C}/institutions`;
    for (const query of ['?cursor=garbage', '?near=north', '?near=95,10', '?limit=0', '?limit=abc', '?date=2026-13-01', '?unknown=1']) {
      const res = await t.app.inject({ method: 'GET', url: base + query, headers: who });
      expect(res.statusCode, query).toBe(400);
      expect(res.json().error.code).toBe('YEYAK_ERR_VALIDATION');
    }
    const unknown = await t.app.inject({ method: 'GET', url: `${base}/NOPE/slots`, headers: who });
    expect(unknown.json().error.code).toBe('YEYAK_ERR_INSTITUTION_NOT_FOUND');
    const span = await t.app.inject({ method: 'GET', url: `${base}/A1/slots?from=2026-09-10&to=2026-08-20`, headers: who });
    expect(span.statusCode).toBe(400);
    // An admission is for one campaign only.
    expect((await t.app.inject({ method: 'GET', url: `/api/v1/campaigns/nope/institutions`, headers: who })).json().error.code).toBe('YEYAK_ERR_ADMISSION_MISMATCH');
    expect((await t.app.inject({ method: 'GET', url: base })).statusCode).toBe(401);
  });
});

describe('the 10-day rotation', () => {
  it('books only in the person\'s own window, within that window\'s share', async () => {
    // Window k opens 2026-08-09+k-1 20:00 and closes the next day 18:00; now is 08-10 11:00 → window 1 (digit 9).
    const rotation = Array.from({ length: 10 }, (_, k) => ({
      id: `r${k + 1}`,
      opensAt: new Date(Date.parse('2026-08-09T11:00:00Z') + k * 86_400_000).toISOString(),
      closesAt: new Date(Date.parse('2026-08-10T09:00:00Z') + k * 86_400_000).toISOString(),
      birthDayDigits: [(k + 9) % 10],
    }));
    await ok(t.app, 'POST', '/api/v1/admin/campaigns', openCampaign('rot', { windows: rotation, vaccine: { name: 'one', doses: 1, intervalDays: 0 } }), operator);
    // 20 doses on 08-25 split over 10 windows → 2 each.
    await ok(t.app, 'POST', '/api/v1/admin/campaigns/rot/capacity', [{ institutionId: 'A0', date: '2026-08-25', time: '10:00', doses: 20 }], operator);
    const url = '/api/v1/campaigns/rot/bookings';
    const slot = { institutionId: 'A0', date: '2026-08-25', time: '10:00' };
    const digit0 = await person(t.app, '1970-05-10');
    // Outside their window they are refused a place in the queue, told their own window.
    const refused = await t.app.inject({ method: 'POST', url: '/api/v1/campaigns/rot/queue/tickets', headers: digit0 });
    expect(refused.statusCode).toBe(403);
    expect(refused.json().error).toMatchObject({ code: 'YEYAK_ERR_NOT_ELIGIBLE', details: { reason: 'NOT_YOUR_WINDOW', window: { id: 'r2' } } });
    const results = [];
    for (const day of ['09', '19', '29']) results.push((await t.app.inject({ method: 'POST', url, headers: await admitted(t, await person(t.app, `1970-05-${day}`), 'rot'), payload: slot })).statusCode);
    // The slot has 20 doses, but window 1's share of the day is 2.
    expect(results).toEqual([201, 201, 409]);
    const me = await ok(t.app, 'GET', '/api/v1/me', undefined, digit0);
    expect(me.eligibility.find((e: { campaignId: string }) => e.campaignId === 'rot')).toMatchObject({ eligible: false, reason: 'NOT_YOUR_WINDOW', window: { id: 'r2', opensAt: '2026-08-10T20:00:00+09:00' } });
    // 20:00:00.000 Seoul on 08-10: window 2 opens; its own share is there.
    t.clock.set('2026-08-10T11:00:00.000Z');
    expect((await t.app.inject({ method: 'POST', url, headers: await admitted(t, await person(t.app, '1970-05-10'), 'rot'), payload: slot })).statusCode).toBe(201);
    t.clock.set('2026-08-10T02:00:00Z');
  });
});
