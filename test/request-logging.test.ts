import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { HOT_ROUTES } from '../src/http/hot-path-log.ts';
import { admitted, ok, openCampaign, operator, person, seedCampaign } from './support/fixtures.ts';
import { startTestApp, type TestApp } from './support/test-app.ts';

/**
 * At the default level (info) every request writes its `request completed` line but the waiting
 * room's hot routes: those are counted in yeyak_hot_path_requests_total, 1 in
 * YEYAK_HOT_PATH_LOG_SAMPLE is logged, and every server error. The status poll and the join are
 * answered by the fast paths, which `app.inject` never reaches: they go over a real socket here.
 */
interface Line {
  msg: string;
  level: number;
  reqId?: string;
  req?: { method: string; path: string; id?: string };
  res?: { statusCode: number };
  responseTime?: number;
  fastPath?: boolean;
  sampled?: number;
}

async function listening(t: TestApp): Promise<string> {
  await t.app.listen({ port: 0, host: '127.0.0.1' });
  const address = t.app.server.address();
  if (address === null || typeof address === 'string') throw new Error('no address');
  return `http://127.0.0.1:${address.port}`;
}

/** How many requests the counter holds for a route, by status code. */
async function counted(t: TestApp, route: string): Promise<Record<string, number>> {
  const { values } = await t.ctx.metrics.hotPathRequests.get();
  return Object.fromEntries(values.filter((v) => v.labels.route === route).map((v) => [String(v.labels.status), v.value]));
}

/** Moves the queue on until this ticket's place is served (test campaigns admit 100,000 a second). */
async function untilAdmitted(t: TestApp, byTicket: { authorization: string }): Promise<void> {
  for (let i = 0; i < 50; i++) {
    t.clock.advance(1);
    await t.ctx.waitingRoom.refresh();
    const me = await t.app.inject({ method: 'GET', url: '/api/v1/campaigns/logs/queue/tickets/me', headers: byTicket });
    if (me.json().admitted) return;
  }
  throw new Error('never admitted');
}

/** 'finish' (where a fast path's line is written) runs after the client has its answer. */
const settled = () => new Promise((resolve) => setTimeout(resolve, 50));

describe('at the default sample (1 in 1,000)', () => {
  let t: TestApp;
  let origin: string;
  const lines: string[] = [];
  const parsed = (): Line[] => lines.map((line) => JSON.parse(line) as Line);
  beforeAll(async () => {
    t = await startTestApp({ now: '2026-08-09T12:00:00Z', env: { LOG_LEVEL: 'info' }, logStream: { write: (line) => void lines.push(line) } });
    await ok(t.app, 'POST', '/api/v1/admin/campaigns', openCampaign('logs'), operator);
    await t.ctx.waitingRoom.refresh();
    origin = await listening(t);
  });
  afterAll(() => t.close());

  it('writes one line for 1,000 status polls, and counts all 1,000', async () => {
    const before = (await counted(t, HOT_ROUTES.status))['200'] ?? 0;
    lines.length = 0;
    for (let i = 0; i < 1000; i++) {
      const res = await fetch(`${origin}/api/v1/campaigns/logs/queue${i % 2 === 0 ? '' : `?t=${i}`}`);
      expect(res.status).toBe(200);
      await res.arrayBuffer();
    }
    await settled();
    const polls = parsed().filter((l) => l.req?.path === '/api/v1/campaigns/logs/queue');
    expect(polls).toHaveLength(1);
    expect(polls[0]).toMatchObject({ msg: 'request completed', level: 30, req: { method: 'GET' }, res: { statusCode: 200 }, fastPath: true, sampled: 1000 });
    expect((await counted(t, HOT_ROUTES.status))['200']).toBe(before + 1000);
  });

  it('writes no line for a join, a ticket status or an admission, and counts each', async () => {
    const who = await person(t.app);
    lines.length = 0;
    const joined = await fetch(`${origin}/api/v1/campaigns/logs/queue/tickets`, { method: 'POST', headers: who });
    expect(joined.status).toBe(201);
    const { ticket } = (await joined.json()) as { ticket: string };
    const byTicket = { authorization: `Bearer ${ticket}` };
    expect((await fetch(`${origin}/api/v1/campaigns/logs/queue/tickets/me`, { headers: byTicket })).status).toBe(200);
    await untilAdmitted(t, byTicket);
    expect((await fetch(`${origin}/api/v1/campaigns/logs/admissions`, { method: 'POST', headers: byTicket })).status).toBe(201);
    expect((await fetch(`${origin}/api/v1/campaigns/logs/admissions`, { method: 'POST' })).status).toBe(401);
    await settled();
    expect(parsed()).toEqual([]);
    expect(await counted(t, HOT_ROUTES.join)).toMatchObject({ '201': 1 });
    expect((await counted(t, HOT_ROUTES.ticket))['200']).toBeGreaterThanOrEqual(2); // over the socket, and while waiting
    expect(await counted(t, HOT_ROUTES.admission)).toMatchObject({ '201': 1, '401': 1 });
    expect(lines.join('\n')).not.toContain(ticket);
  });

  it('writes one line for a booking, whatever its answer: completed, with its method and path', async () => {
    await seedCampaign(t.app, { id: 'logbook', institutions: ['L1'], dates: ['2026-08-20', '2026-09-10'], times: ['10:00'], doses: 1 });
    await t.ctx.waitingRoom.refresh();
    const pass = await admitted(t, await person(t.app), 'logbook');
    const other = await admitted(t, await person(t.app), 'logbook');
    const choice = { institutionId: 'L1', date: '2026-08-20', time: '10:00' };
    lines.length = 0;
    const booked = await fetch(`${origin}/api/v1/campaigns/logbook/bookings`, { method: 'POST', headers: { ...pass, 'content-type': 'application/json' }, body: JSON.stringify(choice) });
    expect(booked.status).toBe(201);
    const soldOut = await fetch(`${origin}/api/v1/campaigns/logbook/bookings`, { method: 'POST', headers: { ...other, 'content-type': 'application/json' }, body: JSON.stringify(choice) });
    expect(soldOut.status).toBe(409);
    await settled();
    const path = '/api/v1/campaigns/logbook/bookings';
    const ofBookings = parsed().filter((l) => l.req?.path === path || (l.msg === 'incoming request' && l.req?.path === path));
    expect(ofBookings.map((l) => [l.msg, l.req?.method, l.res?.statusCode])).toEqual([
      ['request completed', 'POST', 201],
      ['request completed', 'POST', 409],
    ]);
    expect(ofBookings[0]!.responseTime).toEqual(expect.any(Number));
    expect(parsed().some((l) => l.msg === 'incoming request')).toBe(false);
  });

  it('writes no line for a sign-in, and counts each', async () => {
    const before = (await counted(t, HOT_ROUTES.signInDev))['201'] ?? 0;
    lines.length = 0;
    const body = JSON.stringify({ name: '임꺽정', birthDate: '1966-06-06', phone: '010-6666-0606' });
    const signedIn = await fetch(`${origin}/api/v1/identity/dev`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    expect(signedIn.status).toBe(201);
    await settled();
    expect(parsed()).toEqual([]);
    expect((await counted(t, HOT_ROUTES.signInDev))['201']).toBe(before + 1);
  });

  it('keeps both lines of every other request as they were: incoming, then completed, by path only', async () => {
    lines.length = 0;
    expect((await fetch(`${origin}/api/v1/campaigns?near=37.5,127.0`)).status).toBe(200);
    await settled();
    const [incoming, completed] = parsed();
    expect(parsed()).toHaveLength(2);
    expect(incoming).toMatchObject({ msg: 'incoming request', level: 30, req: { method: 'GET', path: '/api/v1/campaigns', id: incoming!.reqId } });
    expect(Object.keys(incoming!.req!).sort()).toEqual(['id', 'method', 'path']);
    expect(completed).toMatchObject({ msg: 'request completed', level: 30, reqId: incoming!.reqId, res: { statusCode: 200 }, responseTime: expect.any(Number) });
    expect(completed!.req).toBeUndefined();
    expect(completed!.sampled).toBeUndefined();
    expect(lines.join('\n')).not.toContain('37.5');
  });

  it('always logs a server error on a hot route, with its method and path', async () => {
    const who = await person(t.app);
    const joined = await fetch(`${origin}/api/v1/campaigns/logs/queue/tickets`, { method: 'POST', headers: who });
    const { ticket } = (await joined.json()) as { ticket: string };
    await untilAdmitted(t, { authorization: `Bearer ${ticket}` });
    const before = (await counted(t, HOT_ROUTES.admission))['503'] ?? 0;
    const admit = vi.spyOn(t.ctx.waitingRoom.store, 'admit').mockRejectedValue(new Error('queue store down'));
    lines.length = 0;
    try {
      const failed = await fetch(`${origin}/api/v1/campaigns/logs/admissions`, { method: 'POST', headers: { authorization: `Bearer ${ticket}` } });
      expect(failed.status).toBe(503);
    } finally {
      admit.mockRestore();
    }
    await settled();
    const completed = parsed().filter((l) => l.msg === 'request completed');
    expect(completed).toEqual([expect.objectContaining({ req: expect.objectContaining({ method: 'POST', path: '/api/v1/campaigns/logs/admissions' }), res: { statusCode: 503 } })]);
    expect(completed[0]!.sampled).toBeUndefined();
    expect(parsed().some((l) => l.msg === 'incoming request')).toBe(false);
    expect((await counted(t, HOT_ROUTES.admission))['503']).toBe(before + 1);
  });
});

describe('at a sample of 1', () => {
  let t: TestApp;
  let origin: string;
  const lines: string[] = [];
  beforeAll(async () => {
    t = await startTestApp({ now: '2026-08-09T12:00:00Z', env: { LOG_LEVEL: 'info', YEYAK_HOT_PATH_LOG_SAMPLE: '1' }, logStream: { write: (line) => void lines.push(line) } });
    await ok(t.app, 'POST', '/api/v1/admin/campaigns', openCampaign('all'), operator);
    await t.ctx.waitingRoom.refresh();
    origin = await listening(t);
  });
  afterAll(() => t.close());

  it('logs every hot request, fast path and route alike, one line each', async () => {
    const who = await person(t.app);
    lines.length = 0;
    for (let i = 0; i < 20; i++) expect((await fetch(`${origin}/api/v1/campaigns/all/queue`)).status).toBe(200);
    const joined = await fetch(`${origin}/api/v1/campaigns/all/queue/tickets`, { method: 'POST', headers: who });
    const { ticket } = (await joined.json()) as { ticket: string };
    expect((await fetch(`${origin}/api/v1/campaigns/all/queue/tickets/me`, { headers: { authorization: `Bearer ${ticket}` } })).status).toBe(200);
    await settled();
    const hot = lines.map((line) => JSON.parse(line) as Line);
    expect(hot.map((l) => [l.msg, l.req?.path, l.res?.statusCode, l.sampled])).toEqual([
      ...Array.from({ length: 20 }, () => ['request completed', '/api/v1/campaigns/all/queue', 200, 1]),
      ['request completed', '/api/v1/campaigns/all/queue/tickets', 201, 1],
      ['request completed', '/api/v1/campaigns/all/queue/tickets/me', 200, 1],
    ]);
  });
});
