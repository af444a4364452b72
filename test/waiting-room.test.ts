import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ok, openCampaign, operator, person, seedCampaign } from './support/fixtures.ts';
import { startTestApp, type TestApp } from './support/test-app.ts';

// Queue opens 19:00 Seoul (10:00Z) on 08-09, the window opens 20:00 (11:00Z), closes 09-30 18:00.
let t: TestApp;
const C = 'wr';
const base = `/api/v1/campaigns/${C}`;
const slot = { institutionId: 'W1', date: '2026-08-20', time: '09:00' };

async function tick(ms: number) {
  t.clock.advance(ms);
  await t.ctx.waitingRoom.refresh();
}

async function join(who: Record<string, string>) {
  return t.app.inject({ method: 'POST', url: `${base}/queue/tickets`, headers: who });
}

async function admit(ticket: string) {
  return t.app.inject({ method: 'POST', url: `${base}/admissions`, headers: { authorization: `Bearer ${ticket}` } });
}

beforeAll(async () => {
  t = await startTestApp({ now: '2026-08-09T09:00:00Z' });
  await seedCampaign(t.app, {
    id: C,
    institutions: ['W1'],
    dates: ['2026-08-20', '2026-09-10'],
    times: ['09:00', '09:30'],
    doses: 500,
    campaign: { admission: { mode: 'fixed', ratePerSecond: 2, maxActive: 1000 } },
  });
  await ok(t.app, 'POST', '/api/v1/admin/campaigns', openCampaign('other'), operator);
  await t.ctx.waitingRoom.refresh();
});
afterAll(() => t.close());

describe('the waiting room', () => {
  it('serves one cacheable status document, from memory, through every state', async () => {
    const res = await t.app.inject({ method: 'GET', url: `${base}/queue` });
    expect(res.statusCode).toBe(200);
    expect(res.headers['cache-control']).toBe('public, max-age=1');
    expect(res.json()).toMatchObject({ state: 'scheduled', servingUpTo: 0, issuedUpTo: 0, opensAt: '2026-08-09T20:00:00+09:00' });
    // Every instant in Seoul time; this one to the millisecond of the last refresh (the server's clock).
    expect(res.json().updatedAt).toBe('2026-08-09T18:00:00.000+09:00');
    // Polls do no store work: count calls on the real store while polling.
    const store = t.ctx.waitingRoom.store as unknown as Record<string, unknown>;
    let calls = 0;
    const originals = new Map<string, unknown>();
    for (const name of ['tick', 'snapshot', 'join', 'positionOf', 'admit']) {
      const fn = store[name] as (...a: unknown[]) => unknown;
      originals.set(name, fn);
      store[name] = (...args: unknown[]) => ((calls += 1), fn.apply(t.ctx.waitingRoom.store, args));
    }
    for (let i = 0; i < 100; i++) await t.app.inject({ method: 'GET', url: `${base}/queue` });
    for (const [name, fn] of originals) store[name] = fn;
    expect(calls).toBe(0);
    const early = await join(await person(t.app));
    expect(early.statusCode).toBe(425);
    expect(Number(early.headers['retry-after'])).toBe(3600);
    // A client's clock changes nothing: a Date header a day ahead does not open the queue.
    const ahead = await t.app.inject({ method: 'POST', url: `${base}/queue/tickets`, headers: { ...(await person(t.app)), date: 'Mon, 10 Aug 2026 09:00:00 GMT' } });
    expect(ahead.statusCode).toBe(425);
  });

  it('shuffles the pre-queue at the opening, then serves first come, first served', async () => {
    t.clock.set('2026-08-09T10:30:00Z'); // 19:30 Seoul: pre-queue
    await t.ctx.waitingRoom.refresh();
    expect((await ok(t.app, 'GET', `${base}/queue`)).state).toBe('prequeue');
    const early = await Promise.all(Array.from({ length: 20 }, () => person(t.app)));
    const tickets = [];
    for (const who of early) {
      const res = await join(who);
      expect(res.statusCode).toBe(201);
      expect(res.json()).toMatchObject({ position: null, state: 'prequeue' });
      tickets.push(res.json().ticket as string);
    }
    t.clock.set('2026-08-09T11:00:00.000Z'); // 20:00:00.000 Seoul: the opening
    await t.ctx.waitingRoom.refresh();
    const positions = [];
    for (const ticket of tickets) positions.push((await ok(t.app, 'GET', `${base}/queue/tickets/me`, undefined, { authorization: `Bearer ${ticket}` })).position);
    expect([...positions].sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    expect(positions).not.toEqual(Array.from({ length: 20 }, (_, i) => i + 1)); // 1 in 20! chance of a false alarm
    const late = await join(await person(t.app));
    expect(late.json().position).toBe(21);
  });

  it('gives one person one place from every device, and refuses the ineligible before they take one', async () => {
    const body = { name: '여러기기', birthDate: '1970-01-01', phone: '010-9100-0001' };
    const devices = [];
    for (let i = 0; i < 3; i++) devices.push({ authorization: `Bearer ${(await ok(t.app, 'POST', '/api/v1/identity/dev', body)).session}` });
    const answers = [];
    for (const device of devices) answers.push(await join(device));
    expect(answers.map((a) => a.statusCode)).toEqual([201, 200, 200]);
    expect(new Set(answers.map((a) => a.json().position)).size).toBe(1);
    await t.ctx.waitingRoom.refresh();
    const issued = (await ok(t.app, 'GET', `${base}/queue`)).issuedUpTo;
    const child = await join(await person(t.app, '2015-01-01'));
    expect(child.statusCode).toBe(403);
    expect(child.json().error.details.reason).toBe('NOT_IN_COHORT');
    await t.ctx.waitingRoom.refresh();
    expect((await ok(t.app, 'GET', `${base}/queue`)).issuedUpTo).toBe(issued);
  });

  it('admits only when the place is reached, at the rate, with an honest ETA; the same admission on repeat', async () => {
    const who = await person(t.app);
    const { ticket, position } = (await join(who)).json();
    const { servingUpTo } = await ok(t.app, 'GET', `${base}/queue`);
    const early = await admit(ticket);
    expect(early.statusCode).toBe(425);
    expect(early.json().error.details.ahead).toBe(position - servingUpTo);
    // API.md: the 425 comes "with {ahead, eta}" — at the top of the body too, the same figures.
    expect(early.json()).toMatchObject({ ahead: position - servingUpTo, eta: early.json().error.details.eta });
    expect(Number(early.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    // 2 a second: after (ahead / 2) seconds it is this person's turn.
    for (let s = 0; s < Math.ceil((position - servingUpTo) / 2) + 1; s++) await tick(1000);
    const me = await ok(t.app, 'GET', `${base}/queue/tickets/me`, undefined, { authorization: `Bearer ${ticket}` });
    expect(me).toMatchObject({ position, admitted: true, ahead: 0 });
    const first = await admit(ticket);
    expect(first.statusCode).toBe(201);
    const again = await admit(ticket);
    const claims = (token: string) => JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as { aid: string; exp: number };
    expect(claims(again.json().admission).aid).toBe(claims(first.json().admission).aid);
    const booked = await t.app.inject({ method: 'POST', url: `${base}/bookings`, headers: { authorization: `Bearer ${first.json().admission}` }, payload: slot });
    expect(booked.statusCode).toBe(201);
  });

  it('never bounces: someone whose place passed long ago is admitted at once', async () => {
    const who = await person(t.app);
    const { ticket } = (await join(who)).json();
    for (let s = 0; s < 30; s++) await tick(1000); // they left; the queue moved on for half a minute
    expect((await admit(ticket)).statusCode).toBe(201);
  });

  it('refuses every way around the admission, and books nothing', async () => {
    const who = await person(t.app);
    const { ticket } = (await join(who)).json();
    for (let s = 0; s < 20; s++) await tick(1000);
    const admission = (await admit(ticket)).json().admission as string;
    const otherCampaign = await (async () => {
      const j = await t.app.inject({ method: 'POST', url: '/api/v1/campaigns/other/queue/tickets', headers: who });
      await tick(1);
      return (await t.app.inject({ method: 'POST', url: '/api/v1/campaigns/other/admissions', headers: { authorization: `Bearer ${j.json().ticket}` } })).json().admission as string;
    })();
    const [h, p, s] = admission.split('.');
    const edited = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(p!, 'base64url').toString()), sub: 'someone-else' })).toString('base64url');
    const stranger = await person(t.app);
    const attempts: Record<string, Record<string, string>> = {
      none: {},
      session: who,
      ticket: { authorization: `Bearer ${ticket}` },
      edited: { authorization: `Bearer ${h}.${edited}.${s}` },
      stripped: { authorization: `Bearer ${h}.${p}.` },
      algNone: { authorization: `Bearer ${Buffer.from('{"alg":"none","typ":"admission+jwt"}').toString('base64url')}.${p}.` },
      otherCampaign: { authorization: `Bearer ${otherCampaign}` },
      besideAnotherSession: { authorization: `Bearer ${admission}`, cookie: `yeyak_session=${stranger.authorization.slice(7)}` },
    };
    const before = await t.ctx.db.selectFrom('bookings').select('id').execute();
    for (const [name, headers] of Object.entries(attempts)) {
      for (const call of [
        { method: 'POST' as const, url: `${base}/bookings`, payload: slot },
        { method: 'GET' as const, url: `${base}/institutions` },
        { method: 'GET' as const, url: `${base}/institutions/W1/slots` },
      ]) {
        const res = await t.app.inject({ ...call, headers });
        expect([401, 403], `${name} ${call.method} ${call.url}`).toContain(res.statusCode);
      }
    }
    // An admission past its expiry is refused too, whatever the Date header claims.
    t.clock.advance(11 * 60_000);
    const expired = await t.app.inject({ method: 'POST', url: `${base}/bookings`, headers: { authorization: `Bearer ${admission}`, date: 'Thu, 01 Jan 2026 00:00:00 GMT' }, payload: slot });
    expect(expired.statusCode).toBe(401);
    expect((await t.ctx.db.selectFrom('bookings').select('id').execute()).length).toBe(before.length);
  });

  it('pauses without losing a place, and admits no one new once closed', async () => {
    const who = await person(t.app);
    const { ticket, position } = (await join(who)).json();
    for (const body of [{ reason: 'x'.repeat(201) }, { reason: 5 }, [], 'paused']) {
      const bad = await t.app.inject({ method: 'POST', url: `/api/v1/admin/campaigns/${C}/queue/pause`, headers: { ...operator, 'content-type': 'application/json' }, payload: JSON.stringify(body) });
      expect([bad.statusCode, bad.json().error.code], JSON.stringify(body)).toEqual([400, 'YEYAK_ERR_VALIDATION']);
    }
    expect((await ok(t.app, 'GET', `${base}/queue`)).state).toBe('open');
    await ok(t.app, 'POST', `/api/v1/admin/campaigns/${C}/queue/pause`, { reason: '점검 중' }, operator);
    const paused = await ok(t.app, 'GET', `${base}/queue`);
    expect(paused).toMatchObject({ state: 'paused', pausedReason: '점검 중' });
    for (let s = 0; s < 60; s++) await tick(1000);
    expect((await ok(t.app, 'GET', `${base}/queue`)).servingUpTo).toBe(paused.servingUpTo);
    await ok(t.app, 'POST', `/api/v1/admin/campaigns/${C}/queue/resume`, undefined, operator);
    expect((await ok(t.app, 'GET', `${base}/queue/tickets/me`, undefined, { authorization: `Bearer ${ticket}` })).position).toBe(position);
    for (let s = 0; s < 60; s++) await tick(1000);
    expect((await admit(ticket)).statusCode).toBe(201);
    await t.ctx.waitingRoom.store.setClosed(C, true, 0);
    await t.ctx.waitingRoom.refresh();
    const late = (await join(await person(t.app))).json();
    expect(late.error.details.reason).toBe('CAMPAIGN_CLOSED');
    await t.ctx.waitingRoom.store.setClosed(C, false, 0);
    await t.ctx.waitingRoom.refresh();
  });

  it('fails closed for new admissions when the store is down, while issued admissions keep working', async () => {
    const holder = await person(t.app);
    const held = (await join(holder)).json();
    const waiting = (await join(await person(t.app))).json();
    for (let s = 0; s < 60; s++) await tick(1000);
    const admission = (await admit(held.ticket)).json().admission as string;
    const store = t.ctx.waitingRoom.store as unknown as Record<string, unknown>;
    const admitFn = store.admit;
    const positionFn = store.positionOf;
    store.admit = async () => {
      throw new Error('connection refused');
    };
    store.positionOf = store.admit;
    try {
      const refused = await admit(waiting.ticket);
      expect(refused.statusCode).toBe(503);
      expect(refused.json().error.code).toBe('YEYAK_ERR_QUEUE_UNAVAILABLE');
      expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
      const booked = await t.app.inject({ method: 'POST', url: `${base}/bookings`, headers: { authorization: `Bearer ${admission}` }, payload: { ...slot, time: '09:30' } });
      expect(booked.statusCode).toBe(201);
    } finally {
      store.admit = admitFn;
      store.positionOf = positionFn;
    }
  });

  it('reports the queue in operator statistics', async () => {
    const stats = await ok(t.app, 'GET', `/api/v1/admin/campaigns/${C}/stats`, undefined, operator);
    expect(stats.joined).toBeGreaterThan(20);
    expect(stats.admitted).toBeGreaterThan(3);
    expect(stats.booked).toBeGreaterThanOrEqual(2);
  });

  it('moves the queue by nothing while its refresh is held (this node’s clock disagrees with the database’s)', async () => {
    for (let i = 0; i < 6; i++) expect((await join(await person(t.app))).statusCode).toBe(201);
    const serving = async () => ((await ok(t.app, 'GET', `${base}/queue`)) as { servingUpTo: number }).servingUpTo;
    const before = await serving();
    t.ctx.waitingRoom.holdRefreshWhile(() => true);
    try {
      await tick(2_000);
      await t.ctx.waitingRoom.refresh();
      expect(await serving()).toBe(before);
      // Held is not down: the store still answers, and the metric says so.
      t.ctx.metrics.queueStoreUp.set(0);
      await t.ctx.waitingRoom.refresh();
      expect((await t.ctx.metrics.queueStoreUp.get()).values[0]?.value).toBe(1);
    } finally {
      t.ctx.waitingRoom.holdRefreshWhile(() => false);
    }
    await tick(1_000);
    expect(await serving()).toBeGreaterThan(before);
  });
});
