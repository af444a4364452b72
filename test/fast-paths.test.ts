import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ok, openCampaign, operator, person } from './support/fixtures.ts';
import { startTestApp, type TestApp } from './support/test-app.ts';

/**
 * The shared status and the plain join are answered before Fastify over a real socket;
 * `app.inject` reaches the Fastify routes for the same paths. Both must answer alike.
 */
let t: TestApp;
let origin: string;
const logLines: string[] = [];
beforeAll(async () => {
  // Every hot request logged (the default samples 1 in 1,000): the request-log test below checks each line.
  t = await startTestApp({ now: '2026-08-09T10:30:00Z', env: { LOG_LEVEL: 'info', YEYAK_HOT_PATH_LOG_SAMPLE: '1' }, logStream: { write: (line) => void logLines.push(line) } });
  await ok(t.app, 'POST', '/api/v1/admin/campaigns', openCampaign('fast'), operator);
  await t.app.listen({ port: 0, host: '127.0.0.1' });
  const address = t.app.server.address();
  if (address === null || typeof address === 'string') throw new Error('no address');
  origin = `http://127.0.0.1:${address.port}`;
});
afterAll(() => t.close());

describe('the shared status over a socket', () => {
  it('is the document the Fastify route gives, with the same caching, before and after a refresh', async () => {
    const first = await fetch(`${origin}/api/v1/campaigns/fast/queue`); // no snapshot yet: Fastify builds it
    expect(first.status).toBe(200);
    const routed = await t.app.inject({ method: 'GET', url: '/api/v1/campaigns/fast/queue' });
    for (const url of ['/api/v1/campaigns/fast/queue', '/api/v1/campaigns/fast/queue?t=123']) {
      const fast = await fetch(`${origin}${url}`);
      expect(fast.status).toBe(200);
      expect(fast.headers.get('cache-control')).toBe('public, max-age=1');
      expect(fast.headers.get('content-type')).toBe(routed.headers['content-type']);
      expect(await fast.text()).toBe(routed.body);
    }
    expect(JSON.parse(routed.body)).toMatchObject({ state: 'prequeue', servingUpTo: 0 });
    t.clock.advance(60 * 60_000);
    await t.ctx.waitingRoom.refresh();
    const opened = await fetch(`${origin}/api/v1/campaigns/fast/queue`);
    expect(await opened.json()).toMatchObject({ state: 'open' });
  });

  it('leaves everything else to Fastify: unknown campaigns, other methods, other paths', async () => {
    const unknown = await fetch(`${origin}/api/v1/campaigns/nope/queue`);
    expect(unknown.status).toBe(404);
    expect((await unknown.json()).error.code).toMatch(/^YEYAK_ERR_/);
    const post = await fetch(`${origin}/api/v1/campaigns/fast/queue`, { method: 'POST' });
    expect(post.status).toBeGreaterThanOrEqual(400);
    expect(post.status).toBeLessThan(500);
    const longer = await fetch(`${origin}/api/v1/campaigns/fast/queue/tickets/me`);
    expect(longer.status).toBe(401);
    // Addresses that only look like a status poll: the route's answer, whatever the fast path reads as the id.
    for (const url of ['/api/v1/campaigns//queue', '/api/v1/campaigns/x/fast/queue', '/api/v1/campaigns/fast/queuefast', '/api/v1/campaigns/fast/queue/?t=1', '/api/v1/campaigns/queue']) {
      const fast = await fetch(`${origin}${url}`);
      const routed = await t.app.inject({ method: 'GET', url });
      expect(fast.status, url).toBe(routed.statusCode);
      expect(fast.status, url).toBeGreaterThanOrEqual(400);
      expect(fast.status, url).toBeLessThan(500);
    }
  });
});

const join = (campaignId: string, headers: Record<string, string>, body?: unknown) =>
  fetch(`${origin}/api/v1/campaigns/${campaignId}/queue/tickets`, { method: 'POST', headers: body === undefined ? headers : { ...headers, 'content-type': 'application/json' }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });

describe('taking a place over a socket', () => {
  it('gives what the route gives: 201 then 200 with the same place, the ticket, and the cookie the route sets', async () => {
    await t.ctx.waitingRoom.refresh();
    const answeredFast = async () => (await t.ctx.metrics.joinFastPath.get()).values[0]?.value ?? 0;
    const fastBefore = await answeredFast();
    const who = await person(t.app);
    const first = await join('fast', who);
    expect(first.status).toBe(201);
    const body = await first.json();
    expect(body).toMatchObject({ position: expect.any(Number), state: 'open' });
    const again = await join('fast', who);
    expect(again.status).toBe(200);
    expect(await again.json()).toMatchObject({ position: body.position });
    expect(await answeredFast()).toBe(fastBefore + 2); // both answered before routing
    const routed = await t.app.inject({ method: 'POST', url: '/api/v1/campaigns/fast/queue/tickets', headers: who });
    expect(routed.statusCode).toBe(200);
    expect(routed.json().position).toBe(body.position);
    expect(first.headers.get('content-type')).toBe(routed.headers['content-type']);
    const attributes = (cookie: string) => cookie.replace(/^yeyak_ticket=[^;]+/, 'yeyak_ticket=…');
    expect(attributes(first.headers.get('set-cookie') ?? '')).toBe(attributes(String(routed.headers['set-cookie'])));
    // The ticket is good for the rest of the waiting room.
    const me = await fetch(`${origin}/api/v1/campaigns/fast/queue/tickets/me`, { headers: { authorization: `Bearer ${body.ticket}` } });
    expect(await me.json()).toMatchObject({ position: body.position });
  });

  it('takes the session from its cookie as the route does, and gives the place back to the ticket cookie', async () => {
    const who = await person(t.app);
    const session = who.authorization.slice('Bearer '.length);
    const first = await join('fast', { cookie: `yeyak_session=${session}` });
    expect(first.status).toBe(201);
    const { position, ticket } = await first.json();
    const again = await join('fast', { cookie: `yeyak_session=${session}; yeyak_ticket=${ticket}` });
    expect(again.status).toBe(200);
    expect((await again.json()).position).toBe(position);
  });

  it('leaves the rest to the route: no session, a forged one, an unknown campaign, a body, an ineligible person', async () => {
    const issued = async () => {
      await t.ctx.waitingRoom.refresh();
      return JSON.parse(t.ctx.waitingRoom.statusBody('fast') ?? '{}').issuedUpTo as number;
    };
    const before = await issued();
    expect((await join('fast', {})).status).toBe(401);
    const forged = await join('fast', { authorization: 'Bearer abc.def.ghi' });
    expect(forged.status).toBe(401);
    expect((await forged.json()).error.code).toBe('YEYAK_ERR_UNAUTHENTICATED');
    const who = await person(t.app);
    const unknown = await join('nope', who);
    expect(unknown.status).toBe(404);
    const badBody = await join('fast', who, { dependentId: 42 });
    expect(badBody.status).toBe(400);
    const child = await person(t.app, '2015-03-01');
    const refused = await join('fast', child);
    expect(refused.status).toBe(403);
    expect((await refused.json()).error.details.reason).toBe('NOT_IN_COHORT');
    // None of those took a place.
    expect(await issued()).toBe(before);
  });
});

describe('the request log', () => {
  it('has a line for each request a fast path answered, by path only, and none twice for one handed to Fastify', async () => {
    await t.ctx.waitingRoom.refresh();
    const who = await person(t.app);
    logLines.length = 0;
    const joined = await join('fast', who);
    expect(joined.status).toBe(201);
    const { ticket } = await joined.json();
    expect((await fetch(`${origin}/api/v1/campaigns/fast/queue?near=37.5,127.0`)).status).toBe(200);
    expect((await join('fast', {})).status).toBe(401); // handed to Fastify: its own lines only
    await new Promise((resolve) => setTimeout(resolve, 50)); // 'finish' runs after the client has the answer
    const completed = logLines.map((line) => JSON.parse(line)).filter((l) => l.msg === 'request completed');
    const fast = completed.filter((l) => l.fastPath === true);
    expect(fast.map((l) => [l.req.method, l.req.path, l.res.statusCode])).toEqual([
      ['POST', '/api/v1/campaigns/fast/queue/tickets', 201],
      ['GET', '/api/v1/campaigns/fast/queue', 200],
    ]);
    for (const l of fast) expect(l.responseTime).toBeGreaterThanOrEqual(0);
    expect(completed.filter((l) => l.res?.statusCode === 401)).toHaveLength(1);
    // No credentials, ticket or place in the log.
    const text = logLines.join('\n');
    for (const secret of [who.authorization.replace('Bearer ', ''), ticket, '37.5']) expect(text).not.toContain(secret);
  });
});
