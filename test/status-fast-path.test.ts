import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ok, openCampaign, operator } from './support/fixtures.ts';
import { startTestApp, type TestApp } from './support/test-app.ts';

/**
 * The shared status is answered before Fastify over a real socket; `app.inject` reaches the
 * Fastify route for the same path. Both must give the same document with the same caching.
 */
let t: TestApp;
let origin: string;
beforeAll(async () => {
  t = await startTestApp({ now: '2026-08-09T10:30:00Z' });
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
  });
});
