import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ERRORS } from '../src/errors.ts';
import { ok, openCampaign, operator } from './support/fixtures.ts';
import { startTestApp, type TestApp } from './support/test-app.ts';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
  // A rotation: window k (from 8 August 20:00 Seoul) admits birth days ending in (k + 8) % 10, then an open window.
  await ok(t.app, 'POST', '/api/v1/admin/campaigns', openCampaign('site-rotation', {
    cohort: { bornFrom: '1950-01-01', bornTo: '1990-12-31' },
    queueOpensAt: '2026-08-08T19:00:00+09:00',
    windows: [
      ...Array.from({ length: 10 }, (_, i) => ({
        id: `r${i + 1}`,
        kind: 'rotation',
        opensAt: `2026-08-${String(8 + i).padStart(2, '0')}T20:00:00+09:00`,
        closesAt: `2026-08-${String(9 + i).padStart(2, '0')}T18:00:00+09:00`,
        birthDayDigits: [(i + 9) % 10],
      })),
      { id: 'open', kind: 'open', opensAt: '2026-08-20T20:00:00+09:00', closesAt: '2026-09-30T18:00:00+09:00', birthDayDigits: null },
    ],
  }), operator);
});
afterAll(() => t.close());

describe('GET /api/v1/campaigns/{id}/my-window (when is my day?)', () => {
  it('answers from the server clock: open now for the digit whose window is open, the coming window otherwise', async () => {
    // The manual clock is 2026-08-10 11:00 Seoul: window 2 (birth days 10/20/30) is open until 18:00.
    const open = await t.app.inject({ method: 'GET', url: '/api/v1/campaigns/site-rotation/my-window?birthDate=1966-08-20' });
    expect(open.statusCode).toBe(200);
    expect(open.headers['cache-control']).toBe('public, max-age=5');
    expect(open.json()).toMatchObject({ campaignId: 'site-rotation', answer: 'OPEN_NOW', birthDayDigit: 0, windows: [{ id: 'r2', openNow: true }, { id: 'open', openNow: false }] });
    const later = (await ok(t.app, 'GET', '/api/v1/campaigns/site-rotation/my-window?birthDate=1966-08-19')) as { answer: string; windows: { id: string; opensAt: string }[] };
    // Day 19 → digit 9 → window 1 has closed; the open window is next.
    expect(later.answer).toBe('UPCOMING');
    expect(later.windows.map((w) => w.id)).toEqual(['open']);
    const coming = await ok(t.app, 'GET', '/api/v1/campaigns/site-rotation/my-window?birthDate=1966-08-05');
    expect(coming.windows[0]).toMatchObject({ id: 'r7', opensAt: '2026-08-14T20:00:00+09:00', openNow: false });
    // The device's clock or a Date header changes nothing.
    const withDate = await t.app.inject({ method: 'GET', url: '/api/v1/campaigns/site-rotation/my-window?birthDate=1966-08-05', headers: { date: 'Fri, 14 Aug 2026 12:00:00 GMT' } });
    expect(withDate.json().answer).toBe('UPCOMING');
  });

  it('says so outside the cohort, and refuses a bad or implausible birth date with 400', async () => {
    expect((await ok(t.app, 'GET', '/api/v1/campaigns/site-rotation/my-window?birthDate=1995-01-01')).answer).toBe('NOT_IN_COHORT');
    for (const bad of ['1966-02-30', 'yesterday', '2099-01-01', '']) {
      const res = await t.app.inject({ method: 'GET', url: `/api/v1/campaigns/site-rotation/my-window?birthDate=${bad}` });
      expect(res.statusCode, bad).toBe(400);
      expect(res.json().error.code).toBe('YEYAK_ERR_VALIDATION');
    }
    const missing = await t.app.inject({ method: 'GET', url: '/api/v1/campaigns/no-such/my-window?birthDate=1966-08-05' });
    expect(missing.statusCode).toBe(404);
  });
});

describe('GET /api/v1/regions, /api/v1/institutions and /api/v1/identity/methods', () => {
  it('lists the 17 provinces with their municipalities and centroids, cacheable for a day', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/api/v1/regions' });
    expect(res.headers['cache-control']).toBe('public, max-age=86400');
    const regions = res.json() as { name: string; sigungu: { name: string; lat: number; lng: number }[] }[];
    expect(regions).toHaveLength(17);
    expect(regions.reduce((n, s) => n + s.sigungu.length, 0)).toBe(250);
    const seoul = regions.find((s) => s.name === '서울특별시');
    expect(seoul?.sigungu.find((g) => g.name === '중구')).toMatchObject({ lat: expect.closeTo(37.56, 1), lng: expect.closeTo(126.99, 1) });
  });

  it("gives clinics' names and addresses by id, and nothing about availability", async () => {
    await ok(t.app, 'POST', '/api/v1/admin/institutions', [{ id: 'dir-1', name: '한빛내과의원', address: '서울특별시 중구 세종대로 110', sido: '서울특별시', sigungu: '중구', lat: 37.56, lng: 126.97 }], operator);
    const res = await t.app.inject({ method: 'GET', url: '/api/v1/institutions?ids=dir-1,no-such,dir-1' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['cache-control']).toBe('public, max-age=300');
    expect(res.json()).toEqual([{ id: 'dir-1', name: '한빛내과의원', address: '서울특별시 중구 세종대로 110', sido: '서울특별시', sigungu: '중구' }]);
    const tooMany = Array.from({ length: 21 }, (_, i) => `c${i}`).join(',');
    for (const bad of [tooMany, '', 'a,,b', "x'--"]) {
      const refused = await t.app.inject({ method: 'GET', url: `/api/v1/institutions?ids=${encodeURIComponent(bad)}` });
      expect(refused.statusCode, bad).toBe(400);
    }
  });

  it('names the sign-in methods this deployment offers', async () => {
    expect(await ok(t.app, 'GET', '/api/v1/identity/methods')).toEqual({ dev: true, mobile: true, oidc: [] });
  });
});

describe('plain words for every error code', () => {
  it('has Korean and English words for each code of src/errors.ts, and no others', () => {
    const source = readFileSync(new URL('../src/web/shared/error-words.ts', import.meta.url), 'utf8');
    const worded = [...source.matchAll(/^\s+(YEYAK_ERR_[A-Z_]+):/gm)].map((m) => m[1]);
    expect(worded.sort()).toEqual(Object.keys(ERRORS).sort());
  });
});
