import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LiveFeed, type LiveFrame } from '../src/modules/operator/live/live-feed.ts';
import { admitted, ok, openCampaign, operator, person, seedCampaign } from './support/fixtures.ts';
import { startTestApp, type TestApp } from './support/test-app.ts';

// The operator APIs behind the console: CSV reports by line, campaign edits and admission bounds
// (audited), the console's cookie credential, and the live dashboard's feed.
let t: TestApp;
const PASSWORD = 'console password 2026';
const csvHeaders = { ...operator, 'content-type': 'text/csv' };

beforeAll(async () => {
  t = await startTestApp({ now: '2026-08-10T02:00:00Z' });
  await seedCampaign(t.app, { id: 'live', institutions: ['L1', 'L2'], dates: ['2026-08-20', '2026-09-10'], times: ['09:00', '09:30'], doses: 5 });
  await ok(t.app, 'POST', '/api/v1/admin/operators', { username: 'ops.console', password: PASSWORD, role: 'operator' }, operator);
});
afterAll(() => t.close());

/** PUT through the real app; fails loudly on anything but 200. */
async function put(url: string, body: unknown) {
  const res = await t.app.inject({ method: 'PUT', url, headers: operator, payload: body as object });
  if (res.statusCode !== 200) throw new Error(`PUT ${url} → ${res.statusCode}: ${res.body}`);
  return res.json();
}

const lastAudit = () => t.ctx.db.selectFrom('audit_log').selectAll().orderBy('id', 'desc').executeTakeFirstOrThrow();

describe('CSV uploads report bad rows by the line of the file', () => {
  it('names the line of each bad row, counting empty lines and quoted line breaks, and imports nothing', async () => {
    const csv = [
      'id,name,address,sido,sigungu,lat,lng',
      'N1,가나의원,서울특별시 중구 1,서울특별시,중구,37.5,126.9',
      '',
      'N2,"다라의원',
      '(별관)",서울특별시 중구 2,서울특별시,중구,abc,126.9',
      'N3,마바의원,서울특별시 중구 3,서울특별시,중구,37.5,',
    ].join('\n');
    const res = await t.app.inject({ method: 'POST', url: '/api/v1/admin/institutions', headers: csvHeaders, payload: csv });
    expect(res.statusCode).toBe(400);
    const { code, details } = res.json().error;
    expect(code).toBe('YEYAK_ERR_CSV_INVALID');
    expect(details.rows).toEqual([
      { row: 2, line: 4, problems: [expect.stringContaining('/lat')] },
      { row: 3, line: 6, problems: [expect.stringContaining('/lng')] },
    ]);
    expect(await t.ctx.db.selectFrom('institutions').select('id').where('id', 'in', ['N1', 'N2', 'N3']).execute()).toEqual([]);
  });

  it('reports capacity rows by line, unknown clinics included, and JSON rows by number only', async () => {
    const csv = 'institutionId,date,time,doses\nL1,2026-08-22,09:00,5\nL1,2026-08-22,09:15,5\nNOPE,2026-08-22,09:00,5\nL2,2026-08-22,09:00,-3\n';
    const res = await t.app.inject({ method: 'POST', url: '/api/v1/admin/campaigns/live/capacity', headers: csvHeaders, payload: csv });
    expect(res.json().error.details.rows).toEqual([
      { row: 2, line: 3, problems: [expect.stringContaining('/time')] },
      { row: 3, line: 4, problems: ['unknown institution NOPE'] },
      { row: 4, line: 5, problems: [expect.stringContaining('/doses')] },
    ]);
    const json = await t.app.inject({ method: 'POST', url: '/api/v1/admin/campaigns/live/capacity', headers: operator, payload: [{ institutionId: 'L1', date: '2026-08-22', time: '09:00', doses: 'x' }] });
    expect(json.json().error.details.rows).toEqual([{ row: 1, problems: [expect.stringContaining('/doses')] }]);
    const slots = await t.ctx.db.selectFrom('capacity_slots').select('date').where('campaign_id', '=', 'live').where('date', '=', '2026-08-22').execute();
    expect(slots).toEqual([]);
  });
});

describe('campaign edits', () => {
  const later = openCampaign('edit', {
    queueOpensAt: '2026-08-20T19:00:00+09:00',
    windows: [{ id: 'open', opensAt: '2026-08-20T20:00:00+09:00', closesAt: '2026-09-30T18:00:00+09:00', birthDayDigits: null }],
  });

  it('replaces a campaign that has not opened, keeps its admission policy when omitted, and audits what changed', async () => {
    await ok(t.app, 'POST', '/api/v1/admin/campaigns', later, operator);
    const { admission: _kept, ...withoutAdmission } = later;
    const edited = { ...withoutAdmission, name: '독감 2026 (수정)', proxyAllowed: true, vaccine: { name: 'mRNA', doses: 2, intervalDays: 28 } };
    expect(await put('/api/v1/admin/campaigns/edit', edited)).toEqual({ id: 'edit' });
    const listed = (await ok(t.app, 'GET', '/api/v1/admin/campaigns', undefined, operator)).find((c: { id: string }) => c.id === 'edit');
    expect(listed).toMatchObject({ name: '독감 2026 (수정)', proxyAllowed: true, vaccine: { intervalDays: 28 }, admission: later.admission });
    expect(await lastAudit()).toMatchObject({ action: 'campaign.updated', actor: 'operator-key', target: 'campaign:edit', details: { changed: 'name,vaccine,proxyAllowed' } });
  });

  it('splits capacity again when the rotation changes before it starts', async () => {
    const rotation = (n: number) =>
      Array.from({ length: n }, (_, i) => ({ id: `r${i + 1}`, opensAt: `2026-08-2${i}T20:00:00+09:00`, closesAt: `2026-08-2${i + 1}T18:00:00+09:00`, birthDayDigits: [(i + 9) % 10] }));
    const rot = openCampaign('rot-edit', { queueOpensAt: '2026-08-20T19:00:00+09:00', windows: rotation(3) });
    await ok(t.app, 'POST', '/api/v1/admin/campaigns', rot, operator);
    await ok(t.app, 'POST', '/api/v1/admin/campaigns/rot-edit/capacity', [{ institutionId: 'L1', date: '2026-08-28', time: '09:00', doses: 12 }], operator);
    const shares = () => t.ctx.db.selectFrom('window_shares').select(['window_id', 'share']).where('campaign_id', '=', 'rot-edit').orderBy('window_id').execute();
    expect((await shares()).map((s) => s.share)).toEqual([4, 4, 4]);
    await put('/api/v1/admin/campaigns/rot-edit', { ...rot, windows: rotation(2) });
    expect(await shares()).toEqual([{ window_id: 'r1', share: 6 }, { window_id: 'r2', share: 6 }]);
  });

  it('refuses to move what people have acted on, with every reason, and changes nothing', async () => {
    const live = openCampaign('live');
    const moved = { ...live, name: 'renamed', vaccine: { ...live.vaccine, intervalDays: 42 }, windows: [{ ...live.windows[0]!, opensAt: '2026-08-09T21:00:00+09:00' }] };
    const res = await t.app.inject({ method: 'PUT', url: '/api/v1/admin/campaigns/live', headers: operator, payload: moved });
    expect(res.statusCode).toBe(409);
    expect(res.json().error.code).toBe('YEYAK_ERR_CAMPAIGN_EDIT_REFUSED');
    expect(res.json().error.details.problems).toEqual([
      'the first window has opened: the first opening cannot move',
      'vaccine.doses and vaccine.intervalDays cannot change once a window has opened',
      'window "open" has opened: its opening cannot move',
    ]);
    expect((await ok(t.app, 'GET', '/api/v1/campaigns/live')).name).toBe('Test campaign live');
    // Closing the open window later is allowed; an id that differs from the path is not; nor is a bad body.
    await put('/api/v1/admin/campaigns/live', { ...live, windows: [{ ...live.windows[0]!, closesAt: '2026-10-31T18:00:00+09:00' }] });
    expect((await t.app.inject({ method: 'PUT', url: '/api/v1/admin/campaigns/live', headers: operator, payload: { ...live, id: 'other' } })).statusCode).toBe(400);
    expect((await t.app.inject({ method: 'PUT', url: '/api/v1/admin/campaigns/live', headers: operator, payload: { ...live, windows: [] } })).statusCode).toBe(400);
    expect((await t.app.inject({ method: 'PUT', url: '/api/v1/admin/campaigns/nope', headers: operator, payload: openCampaign('nope') })).statusCode).toBe(404);
  });

  it('sets admission bounds, answers with the policy before and after, and audits both', async () => {
    const policy = { mode: 'adaptive', ratePerSecond: 350, maxActive: 5000 };
    const res = await put('/api/v1/admin/campaigns/edit/admission', policy);
    expect(res).toEqual({ before: openCampaign('edit').admission, admission: policy });
    expect((await t.ctx.campaigns.get('edit')).admission).toEqual(policy);
    expect(await lastAudit()).toMatchObject({ action: 'campaign.admission.updated', target: 'campaign:edit', details: { ratePerSecondBefore: 100000, ratePerSecond: 350, maxActive: 5000 } });
    expect((await t.app.inject({ method: 'PUT', url: '/api/v1/admin/campaigns/edit/admission', headers: operator, payload: { ...policy, ratePerSecond: 0 } })).statusCode).toBe(400);
    expect((await t.app.inject({ method: 'PUT', url: '/api/v1/admin/campaigns/edit/admission', headers: { authorization: 'Bearer nope' }, payload: policy })).statusCode).toBe(401);
  });
});

describe("the console's cookie", () => {
  it('is set at login (HttpOnly, SameSite=Strict, scoped to the operator API), works without a header, and is cleared at logout', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/api/v1/admin/login', payload: { username: 'ops.console', password: PASSWORD } });
    const cookie = res.cookies.find((c) => c.name === 'yeyak_operator')!;
    expect(cookie).toMatchObject({ value: res.json().token, httpOnly: true, sameSite: 'Strict', path: '/api/v1/admin', secure: true });
    const me = await t.app.inject({ method: 'GET', url: '/api/v1/admin/me', cookies: { yeyak_operator: cookie.value } });
    expect(me.json()).toMatchObject({ role: 'operator', institutionId: null });
    // A header, when sent, is the only credential looked at; the automation key is never a cookie.
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/admin/me', headers: { authorization: 'Bearer wrong' }, cookies: { yeyak_operator: cookie.value } })).statusCode).toBe(401);
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/admin/me', cookies: { yeyak_operator: operator.authorization.slice(7) } })).statusCode).toBe(401);
    const out = await t.app.inject({ method: 'POST', url: '/api/v1/admin/logout' });
    expect(out.statusCode).toBe(204);
    expect(out.cookies.find((c) => c.name === 'yeyak_operator')).toMatchObject({ value: '', path: '/api/v1/admin' });
  });
});

describe('the live feed', () => {
  it('computes one frame per campaign per tick whatever the number of subscribers, and its figures follow bookings', async () => {
    // A cost share of 1: the sido read is never put off, so each tick reads the database afresh.
    const feed = new LiveFeed(t.ctx, t.app.log, 1);
    const received: string[][] = [[], []];
    const stops = received.map((list) => feed.subscribe('live', (chunk) => list.push(chunk)));
    await feed.tick();
    const computed = feed.framesComputed;
    expect(computed).toBeGreaterThanOrEqual(1);
    await feed.tick();
    expect(feed.framesComputed).toBe(computed + 1);
    expect(received[0]).toEqual(received[1]);
    const frame = (chunk: string): LiveFrame => JSON.parse(chunk.slice('data: '.length));
    const first = frame(received[0]!.at(-1)!);
    expect(first).toMatchObject({ campaignId: 'live', state: 'open', bookingsPerSecond: 0, nodes: 1, probe: { lastBookingAt: null, secondsAgo: null }, remainingBySido: [{ sido: '서울특별시', remaining: expect.any(Number) }] });

    const who = await person(t.app, '1971-03-03');
    const access = await admitted(t, who, 'live');
    await ok(t.app, 'POST', '/api/v1/campaigns/live/bookings', { institutionId: 'L1', date: '2026-08-20', time: '09:00' }, access);
    t.clock.advance(1000);
    await t.ctx.waitingRoom.refresh();
    await feed.tick();
    const next = frame(received[1]!.at(-1)!);
    expect(next.bookingsPerSecond).toBe(1);
    // Both doses: dose 2 is 21 days later at the same clinic.
    expect(next.remainingDoses).toBe(first.remainingDoses - 2);
    expect(next.issuedUpTo).toBe(first.issuedUpTo + 1);
    stops.forEach((stop) => stop());
    feed.stop();
  });

  it('spaces the remaining-by-sido read so it takes at most its share of the time', async () => {
    const feed = new LiveFeed(t.ctx, t.app.log);
    const chunks: string[] = [];
    const stop = feed.subscribe('live', (chunk) => chunks.push(chunk));
    await feed.tick();
    const first = JSON.parse(chunks.at(-1)!.slice(6)) as LiveFrame;
    t.clock.advance(1000);
    // At once: the read's cost budget (ten times its duration) has not passed, so it is not repeated.
    await feed.tick();
    const second = JSON.parse(chunks.at(-1)!.slice(6)) as LiveFrame;
    expect(second.at).not.toBe(first.at);
    expect(Date.parse(second.at) - Date.parse(first.at)).toBe(1000);
    expect([second.at, second.remainingAsOf]).toEqual([expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+09:00$/), expect.stringMatching(/\+09:00$/)]);
    expect(second.remainingAsOf).toBe(first.remainingAsOf);
    stop();
    feed.stop();
  });

  it('streams frames as server-sent events to a logged-in console and refuses anyone else', async () => {
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    const address = t.app.server.address() as { port: number };
    const base = `http://127.0.0.1:${address.port}`;
    const login = await fetch(`${base}/api/v1/admin/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'ops.console', password: PASSWORD }) });
    const cookie = login.headers.getSetCookie()[0]!.split(';')[0]!;
    expect((await fetch(`${base}/api/v1/admin/live?campaignId=live`)).status).toBe(401);
    expect((await fetch(`${base}/api/v1/admin/live?campaignId=nope`, { headers: { cookie } })).status).toBe(404);
    const controller = new AbortController();
    const res = await fetch(`${base}/api/v1/admin/live?campaignId=live`, { headers: { cookie }, signal: controller.signal });
    expect(res.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    const reader = res.body!.getReader();
    let text = '';
    while (!text.includes('data: ')) text += new TextDecoder().decode((await reader.read()).value);
    while (!/data: .*\n\n/.test(text)) text += new TextDecoder().decode((await reader.read()).value);
    const frame = JSON.parse(/data: (.*)\n\n/.exec(text)![1]!) as LiveFrame;
    expect(frame).toMatchObject({ campaignId: 'live', state: 'open', maxActive: 1_000_000 });
    controller.abort();
  });
});
