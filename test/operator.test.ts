import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { splitEvenly } from '../src/modules/campaigns/domain/quota.ts';
import { daysBetween } from '../src/lib/seoul-time.ts';
import { ok, openCampaign, operator } from './support/fixtures.ts';
import { useTestApp } from './support/test-app.ts';

const t = useTestApp();

async function count(table: 'campaigns' | 'institutions' | 'capacity_slots'): Promise<number> {
  const row = await t.ctx.db.selectFrom(table).select(sql<number>`count(*)::int`.as('n')).executeTakeFirstOrThrow();
  return row.n;
}

async function expectRefused(method: 'POST' | 'GET', url: string, payload: unknown, status: number, code: string, headers: Record<string, string> = operator) {
  const before = [await count('campaigns'), await count('institutions'), await count('capacity_slots')];
  const res = await t.app.inject({ method, url, headers, payload: payload as string });
  expect(res.statusCode, res.body).toBe(status);
  expect(res.json().error.code).toBe(code);
  // Nothing written by a refused request.
  expect([await count('campaigns'), await count('institutions'), await count('capacity_slots')]).toEqual(before);
  return res.json();
}

const institution = { id: 'H1', name: '중앙내과의원', address: '서울특별시 중구 세종대로 1', sido: '서울특별시', sigungu: '중구', lat: 37.56, lng: 126.97 };

describe('operator API', () => {
  it('needs the operator credential', async () => {
    await expectRefused('POST', '/api/v1/admin/campaigns', openCampaign('x'), 401, 'YEYAK_ERR_OPERATOR_UNAUTHENTICATED', {});
    await expectRefused('POST', '/api/v1/admin/campaigns', openCampaign('x'), 401, 'YEYAK_ERR_OPERATOR_UNAUTHENTICATED', { authorization: 'Bearer wrong-key-wrong-key' });
  });

  it('creates a campaign and lists it publicly with Seoul offsets', async () => {
    const created = await ok(t.app, 'POST', '/api/v1/admin/campaigns', openCampaign('c1'), operator);
    expect(created).toEqual({ id: 'c1' });
    const list = await ok(t.app, 'GET', '/api/v1/campaigns');
    expect(list[0]).toMatchObject({ id: 'c1', windows: [{ id: 'open', opensAt: '2026-08-09T20:00:00+09:00', birthDayDigits: null }], proxyAllowed: false });
    await expectRefused('POST', '/api/v1/admin/campaigns', openCampaign('c1'), 409, 'YEYAK_ERR_CAMPAIGN_EXISTS');
  });

  it('refuses bad campaigns with a 4xx and writes nothing', async () => {
    const endsBeforeOpening = openCampaign('bad1', { windows: [{ id: 'w', opensAt: '2026-08-10T20:00:00+09:00', closesAt: '2026-08-10T18:00:00+09:00', birthDayDigits: null }] });
    const body = await expectRefused('POST', '/api/v1/admin/campaigns', endsBeforeOpening, 400, 'YEYAK_ERR_CAMPAIGN_INVALID');
    expect(body.error.details.problems.join(' ')).toMatch(/close/i);
    await expectRefused('POST', '/api/v1/admin/campaigns', { ...openCampaign('bad2'), vaccine: { name: 'x', doses: '2', intervalDays: 21 } }, 400, 'YEYAK_ERR_VALIDATION');
    await expectRefused('POST', '/api/v1/admin/campaigns', { ...openCampaign('bad3'), cohort: { bornFrom: '2000-01-01', bornTo: '1990-01-01' } }, 400, 'YEYAK_ERR_CAMPAIGN_INVALID');
    await expectRefused('POST', '/api/v1/admin/campaigns', { ...openCampaign('bad4'), surprise: true }, 400, 'YEYAK_ERR_VALIDATION');
    await expectRefused('POST', '/api/v1/admin/campaigns', '{"id": "bad5", ', 400, 'YEYAK_ERR_MALFORMED_JSON', { ...operator, 'content-type': 'application/json' });
    await expectRefused('POST', '/api/v1/admin/campaigns', 'x'.repeat(2_000_000), 413, 'YEYAK_ERR_BODY_TOO_LARGE', { ...operator, 'content-type': 'application/json' });
    await expectRefused('POST', '/api/v1/admin/campaigns', '<xml/>', 415, 'YEYAK_ERR_UNSUPPORTED_MEDIA_TYPE', { ...operator, 'content-type': 'application/xml' });
    const digits = openCampaign('bad6', { windows: [{ id: 'w', opensAt: '2026-08-10T20:00:00+09:00', closesAt: '2026-08-11T18:00:00+09:00', birthDayDigits: [11] }] });
    await expectRefused('POST', '/api/v1/admin/campaigns', digits, 400, 'YEYAK_ERR_VALIDATION');
  });

  it('upserts institutions from JSON and CSV; a bad CSV row is reported and nothing is imported', async () => {
    expect(await ok(t.app, 'POST', '/api/v1/admin/institutions', [institution], operator)).toEqual({ upserted: 1 });
    const csv = 'id,name,address,sido,sigungu,lat,lng\nH2,서울가정의학과의원,서울특별시 종로구 종로 1,서울특별시,종로구,37.57,126.98\nH3,부산내과의원,부산광역시 중구 중앙대로 1,부산광역시,중구,35.1,129.03\n';
    expect(await ok(t.app, 'POST', '/api/v1/admin/institutions', csv, { ...operator, 'content-type': 'text/csv' })).toEqual({ upserted: 2 });
    const bad = 'id,name,address,sido,sigungu,lat,lng\nH4,좋은의원,주소 1,서울특별시,중구,37.5,126.9\nH5,나쁜의원,주소 2,서울특별시,중구,north,126.9\n';
    const body = await expectRefused('POST', '/api/v1/admin/institutions', bad, 400, 'YEYAK_ERR_CSV_INVALID', { ...operator, 'content-type': 'text/csv' });
    expect(body.error.details.rows).toEqual([{ row: 2, line: 3, problems: [expect.stringContaining('/lat')] }]);
    await expectRefused('POST', '/api/v1/admin/institutions', [{ ...institution, lat: 200 }], 400, 'YEYAK_ERR_CSV_INVALID');
  });

  it('splits each clinic-day evenly across the rotation windows', async () => {
    const rotation = Array.from({ length: 10 }, (_, k) => ({
      id: `r${k + 1}`,
      opensAt: new Date(Date.parse('2026-08-09T11:00:00Z') + k * 86_400_000).toISOString(),
      closesAt: new Date(Date.parse('2026-08-10T09:00:00Z') + k * 86_400_000).toISOString(),
      birthDayDigits: [(k + 9) % 10],
    }));
    await ok(t.app, 'POST', '/api/v1/admin/campaigns', openCampaign('rot', { windows: rotation }), operator);
    const dates = ['2026-08-30', '2026-08-31', '2026-09-01'];
    const rows = dates.flatMap((date, i) => ['09:00', '09:30', '10:00'].map((time, j) => ({ institutionId: 'H1', date, time, doses: 7 + i + j })));
    expect(await ok(t.app, 'POST', '/api/v1/admin/campaigns/rot/capacity', rows, operator)).toEqual({ upserted: 9 });
    for (const date of dates) {
      const day = await t.ctx.db.selectFrom('clinic_days').selectAll().where('campaign_id', '=', 'rot').where('date', '=', date).executeTakeFirstOrThrow();
      const shares = await t.ctx.db.selectFrom('window_shares').select(['window_id', 'share']).where('campaign_id', '=', 'rot').where('date', '=', date).execute();
      const byWindow = rotation.map((w) => shares.find((s) => s.window_id === w.id)!.share);
      expect(byWindow.reduce((a, b) => a + b, 0)).toBe(day.capacity);
      expect(Math.max(...byWindow) - Math.min(...byWindow)).toBeLessThanOrEqual(1);
      // The SQL split is the twin of the domain's splitEvenly.
      expect(byWindow).toEqual(splitEvenly(day.capacity, 10, daysBetween('1970-01-01', date)));
    }
  });

  it('refuses negative capacity, unknown institutions and malformed rows, importing nothing', async () => {
    await expectRefused('POST', '/api/v1/admin/campaigns/c1/capacity', [{ institutionId: 'H1', date: '2026-08-20', time: '09:00', doses: -1 }], 400, 'YEYAK_ERR_CSV_INVALID');
    await expectRefused('POST', '/api/v1/admin/campaigns/c1/capacity', [{ institutionId: 'H1', date: '2026-08-20', time: '09:00', doses: 5 }, { institutionId: 'NOPE', date: '2026-08-20', time: '09:00', doses: 5 }], 400, 'YEYAK_ERR_CSV_INVALID');
    await expectRefused('POST', '/api/v1/admin/campaigns/c1/capacity', [{ institutionId: 'H1', date: '2026-02-30', time: '09:00', doses: 5 }], 400, 'YEYAK_ERR_CSV_INVALID');
    await expectRefused('POST', '/api/v1/admin/campaigns/c1/capacity', [{ institutionId: 'H1', date: '2026-08-20', time: '09:15', doses: 5 }], 400, 'YEYAK_ERR_CSV_INVALID');
    await expectRefused('POST', '/api/v1/admin/campaigns/nope/capacity', [], 404, 'YEYAK_ERR_CAMPAIGN_NOT_FOUND');
    const csv = 'institutionId,date,time,doses\nH1,2026-08-20,09:00,5\nH1,2026-08-20,09:30,-2\n';
    await expectRefused('POST', '/api/v1/admin/campaigns/c1/capacity', csv, 400, 'YEYAK_ERR_CSV_INVALID', { ...operator, 'content-type': 'text/csv' });
  });

  it('reports campaign statistics', async () => {
    const stats = await ok(t.app, 'GET', '/api/v1/admin/campaigns/rot/stats', undefined, operator);
    expect(stats).toMatchObject({ booked: 0, cancelled: 0 });
    expect(stats.remainingDoses).toBe(stats.capacityDoses);
    expect(stats.capacityDoses).toBeGreaterThan(0);
  });
});
