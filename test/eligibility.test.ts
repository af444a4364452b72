import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CampaignCatalog } from '../src/modules/campaigns/index.ts';
import { admitted, ok, openCampaign, operator, personKeyOfSession, seedCampaign } from './support/fixtures.ts';
import { startTestApp, type TestApp } from './support/test-app.ts';

let t: TestApp;
let n = 0;
async function verified(birthDate: string, name?: string) {
  n += 1;
  const body = { name: name ?? `자격${n}`, birthDate, phone: `010-4000-${String(n).padStart(4, '0')}` };
  const { session } = await ok(t.app, 'POST', '/api/v1/identity/dev', body);
  return { headers: { authorization: `Bearer ${session}` }, body };
}
const eligibility = async (headers: Record<string, string>, campaignId: string) =>
  (await ok(t.app, 'GET', '/api/v1/me', undefined, headers)).eligibility.find((e: { campaignId: string }) => e.campaignId === campaignId);

// Rotation: window k opens 2026-08-09+(k-1) 20:00 Seoul, closes the next day 18:00.
const rotation = Array.from({ length: 10 }, (_, k) => ({
  id: `r${k + 1}`,
  opensAt: new Date(Date.parse('2026-08-09T11:00:00Z') + k * 86_400_000).toISOString(),
  closesAt: new Date(Date.parse('2026-08-10T09:00:00Z') + k * 86_400_000).toISOString(),
  birthDayDigits: [(k + 9) % 10],
}));

beforeAll(async () => {
  t = await startTestApp({ now: '2026-08-10T02:00:00Z' });
  await seedCampaign(t.app, { id: 'el', institutions: ['E1'], dates: ['2026-08-25', '2026-09-15'], times: ['10:00'], doses: 50, campaign: { cohort: { bornFrom: '1960-01-01', bornTo: '1980-12-31' } } });
  await ok(t.app, 'POST', '/api/v1/admin/campaigns', openCampaign('rot', { windows: rotation }), operator);
});
afterAll(() => t.close());

describe('eligibility, reason by reason', () => {
  it('NOT_IN_COHORT, unless the person is on an uploaded priority list', async () => {
    const young = await verified('1995-04-04', '우선순위');
    expect(await eligibility(young.headers, 'el')).toEqual({ campaignId: 'el', eligible: false, reason: 'NOT_IN_COHORT', window: null });
    const refused = await t.app.inject({ method: 'POST', url: '/api/v1/campaigns/el/queue/tickets', headers: young.headers });
    expect(refused.json().error).toMatchObject({ code: 'YEYAK_ERR_NOT_ELIGIBLE', details: { reason: 'NOT_IN_COHORT' } });
    const csv = `name,birthDate,phone,group\n${young.body.name},${young.body.birthDate},${young.body.phone.replace(/-/g, '')},수험생\n다른사람,1990-01-01,010-9999-9999,장애인\n`;
    expect(await ok(t.app, 'POST', '/api/v1/admin/campaigns/el/priority-list', csv, { ...operator, 'content-type': 'text/csv' })).toEqual({ upserted: 2 });
    expect(await eligibility(young.headers, 'el')).toMatchObject({ eligible: true, reason: 'ELIGIBLE' });
    await ok(t.app, 'POST', '/api/v1/campaigns/el/bookings', { institutionId: 'E1', date: '2026-08-25', time: '10:00' }, await admitted(t, young.headers, 'el'));
    // The booking recorded the person: a session without the sealed identity finds the list through that record.
    const personKey = personKeyOfSession(young.headers);
    const unsealed = { authorization: `Bearer ${t.ctx.signer.sign('session', personKey, t.clock.now(), 600)}` };
    expect(await eligibility(unsealed, 'el')).toMatchObject({ eligible: false, reason: 'ALREADY_BOOKED' });
    const stored = JSON.stringify(await t.ctx.db.selectFrom('priority_entries').selectAll().execute());
    expect(stored).not.toContain('우선순위');
    expect(stored).not.toContain('9999');
    const audit = await t.ctx.db.selectFrom('audit_log').select(['action', 'target']).where('action', '=', 'priority-list.uploaded').execute();
    expect(audit).toEqual([{ action: 'priority-list.uploaded', target: 'el' }]);
  });

  it('knows which campaigns have a priority list, one uploaded on another node within its reload', async () => {
    let nowMs = 0;
    const catalog = new CampaignCatalog(t.ctx.db, 2000, () => nowMs);
    expect(await catalog.hasPriorityList('rot')).toBe(false);
    expect(await catalog.hasPriorityList('el')).toBe(true);
    // Another node's upload: this catalog reads it at its next reload, not before.
    await t.ctx.db.insertInto('priority_entries').values({ campaign_id: 'rot', contact_hash: 'h-other-node', group_name: 'g', created_at: t.clock.now() }).execute();
    nowMs = 1999;
    expect(await catalog.hasPriorityList('rot')).toBe(false);
    nowMs = 2000;
    expect(await catalog.hasPriorityList('rot')).toBe(true);
    await t.ctx.db.deleteFrom('priority_entries').where('campaign_id', '=', 'rot').execute();
  });

  it('refuses a priority list with a bad row, importing nothing', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/api/v1/admin/campaigns/el/priority-list', headers: operator, payload: [{ name: '가', birthDate: '1990-01-01', phone: '010-1111-1111', group: 'g' }, { name: '나', birthDate: 'yesterday', phone: '010-1111-1112', group: 'g' }] });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.details.rows[0].row).toBe(2);
    expect((await t.ctx.db.selectFrom('priority_entries').selectAll().execute()).length).toBe(2);
  });

  it('regroups a person uploaded again (the later list wins) and keeps one entry each', async () => {
    const body = (group: string) => [{ name: '다른사람', birthDate: '1990-01-01', phone: '010-9999-9999', group }, { name: '새사람', birthDate: '1991-02-02', phone: '010-8888-8888', group }];
    expect(await ok(t.app, 'POST', '/api/v1/admin/campaigns/el/priority-list', body('지역 우선'), operator)).toEqual({ upserted: 2 });
    const groups = await t.ctx.db.selectFrom('priority_entries').select('group_name').where('campaign_id', '=', 'el').orderBy('group_name').execute();
    expect(groups.map((g) => g.group_name)).toEqual(['수험생', '지역 우선', '지역 우선']);
  });

  it('ALREADY_VACCINATED per the registry\'s local copy: at sign-in for the queue, again at booking', async () => {
    const done = await verified('1970-01-01');
    // The person key is the session's subject (signing in records nothing).
    const key = personKeyOfSession(done.headers);
    await t.ctx.db.insertInto('vaccination_records').values([{ person_key: key, vaccine: 'mRNA', dose: 2, administered_on: '2026-05-01' }]).execute();
    expect(await eligibility(done.headers, 'el')).toMatchObject({ eligible: false, reason: 'ALREADY_VACCINATED' });
    // The session was made before the registry knew: the queue's pre-filter lets the person in
    // line, and the booking, which asks the registry in its own transaction, refuses.
    const admission = await admitted(t, done.headers, 'el');
    const booking = await t.app.inject({ method: 'POST', url: '/api/v1/campaigns/el/bookings', headers: admission, payload: { institutionId: 'E1', date: '2026-08-25', time: '10:00' } });
    expect(booking.statusCode).toBe(403);
    expect(booking.json().error).toMatchObject({ code: 'YEYAK_ERR_NOT_ELIGIBLE', details: { reason: 'ALREADY_VACCINATED' } });
    // A session made once the registry knows is refused before it takes a place.
    const { session } = await ok(t.app, 'POST', '/api/v1/identity/dev', done.body);
    const res = await t.app.inject({ method: 'POST', url: '/api/v1/campaigns/rot/queue/tickets', headers: { authorization: `Bearer ${session}` } });
    expect(res.json().error).toMatchObject({ code: 'YEYAK_ERR_NOT_ELIGIBLE', details: { reason: 'ALREADY_VACCINATED' } });
  });

  it('ALREADY_BOOKED once the person holds a live booking', async () => {
    const who = await verified('1971-02-02');
    await ok(t.app, 'POST', '/api/v1/campaigns/el/bookings', { institutionId: 'E1', date: '2026-08-25', time: '10:00' }, await admitted(t, who.headers, 'el'));
    expect(await eligibility(who.headers, 'el')).toMatchObject({ eligible: false, reason: 'ALREADY_BOOKED' });
  });

  for (const tz of ['UTC', 'Asia/Seoul']) {
    it(`NOT_YOUR_WINDOW with the person's own window, and the 20:00:00.000 boundary (process TZ ${tz})`, async () => {
      const saved = process.env.TZ;
      process.env.TZ = tz;
      try {
        t.clock.set('2026-08-10T10:59:59.999Z'); // 19:59:59.999 Seoul on 08-10
        const { body } = await verified('1972-03-10');
        // Sessions last an hour: sign in again (the same person) at each instant.
        const at = async () => (await ok(t.app, 'POST', '/api/v1/identity/dev', body)).session as string;
        const me = async () => eligibility({ authorization: `Bearer ${await at()}` }, 'rot');
        expect(await me()).toEqual({
          campaignId: 'rot',
          eligible: false,
          reason: 'NOT_YOUR_WINDOW',
          window: { id: 'r2', opensAt: '2026-08-10T20:00:00+09:00', closesAt: '2026-08-11T18:00:00+09:00' },
        });
        t.clock.set('2026-08-10T11:00:00.000Z'); // 20:00:00.000 Seoul
        expect(await me()).toMatchObject({ eligible: true, reason: 'ELIGIBLE', window: { id: 'r2' } });
        t.clock.set('2026-08-11T08:59:59.999Z'); // 17:59:59.999 Seoul on 08-11: still open
        expect(await me()).toMatchObject({ eligible: true });
        t.clock.set('2026-08-11T09:00:00.000Z'); // 18:00:00.000: closed, and no later window for digit 0
        expect(await me()).toEqual({ campaignId: 'rot', eligible: false, reason: 'CAMPAIGN_CLOSED', window: null });
      } finally {
        process.env.TZ = saved;
        t.clock.set('2026-08-10T02:00:00Z');
      }
    });
  }
});
