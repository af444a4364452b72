import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ok, openCampaign, operator, person, personKeyOfSession } from './support/fixtures.ts';
import { deleteAppCampaignKeys, redisUrl } from './support/redis.ts';
import { startTestApp, type TestApp } from './support/test-app.ts';

/**
 * Issue 23: a queue journal write the database refuses is never a silent stop. Here a pause
 * reason holding U+0000 (which the edge now refuses: put in the store directly, as any value the
 * database cannot store would be) makes every write of its campaign fail. The failure is logged
 * without values and counted; the other campaign's places are written and answered; the refused
 * campaign's joins answer 503 where the journal is what makes them durable (the in-process store);
 * once the cause is gone the next write takes what waited, and nothing was lost.
 */
const kinds = [{ name: 'in-process store', env: {} as Record<string, string> }, ...(redisUrl ? [{ name: 'Redis store', env: { REDIS_URL: redisUrl } }] : [])];

describe.each(kinds)('a queue journal the database refuses, with the $name', ({ name, env }) => {
  let t: TestApp;
  const lines: string[] = [];
  const suffix = randomBytes(3).toString('hex');
  const GOOD = `jf-good-${suffix}`;
  const BAD = `jf-bad-${suffix}`;
  const join = (campaignId: string, who: { authorization: string }) => t.app.inject({ method: 'POST', url: `/api/v1/campaigns/${campaignId}/queue/tickets`, headers: who });
  const journalled = async (campaignId: string) => (await t.ctx.db.selectFrom('queue_journalled_places').select('person_key').where('campaign_id', '=', campaignId).execute()).map((r) => r.person_key);
  const failures = async (campaignId: string) => (await t.ctx.metrics.queueJournalFailures.get()).values.find((v) => v.labels.campaign === campaignId)?.value ?? 0;

  beforeAll(async () => {
    t = await startTestApp({ env, logStream: { write: (line) => void lines.push(line) } });
    for (const id of [GOOD, BAD]) await ok(t.app, 'POST', '/api/v1/admin/campaigns', openCampaign(id), operator);
    await t.ctx.waitingRoom.refresh();
  });
  afterAll(async () => {
    await t.close();
    for (const id of [GOOD, BAD]) await deleteAppCampaignKeys(env, id);
  });

  it('logs and counts each refused write, answers the other campaign, and writes what waited once the cause is gone', async () => {
    const nowMs = t.clock.now().getTime();
    await t.ctx.waitingRoom.store.setPaused(BAD, true, 'a\u0000b', nowMs);
    await t.ctx.waitingRoom.refresh().catch(() => {});
    expect(await failures(BAD)).toBeGreaterThan(0);
    expect(await failures(GOOD)).toBe(0);

    // The other campaign is not held up: its place is answered and written.
    const early = await person(t.app);
    expect((await join(GOOD, early)).statusCode).toBe(201);
    // Written before the answer (in-process store) or with the next refresh (Redis, durable itself).
    t.clock.advance(250);
    await t.ctx.waitingRoom.refresh().catch(() => {});
    expect(await journalled(GOOD)).toContain(personKeyOfSession(early));

    // The refused campaign's join: a 503 where the journal makes it durable, a 201 where Redis does.
    const waiting = await person(t.app);
    const refused = await join(BAD, waiting);
    expect(refused.statusCode).toBe(name === 'Redis store' ? 201 : 503);
    expect(await journalled(BAD)).toEqual([]);

    // Logged, with the campaign and the database's reason, without the person or the value.
    const logged = lines.filter((l) => l.includes('queue journal write failed')).map((l) => JSON.parse(l));
    expect(logged.length).toBeGreaterThan(0);
    expect(logged[0]).toMatchObject({ level: 50, campaignId: BAD, err: { message: expect.any(String) } });
    for (const line of lines) expect(line).not.toContain(personKeyOfSession(waiting));

    // The cause gone (resumed): the next write takes the waiting place; asking again gives it back.
    await t.ctx.waitingRoom.store.setPaused(BAD, false, null, nowMs);
    t.clock.advance(250);
    await t.ctx.waitingRoom.refresh();
    expect(await journalled(BAD)).toEqual([personKeyOfSession(waiting)]);
    const again = await join(BAD, waiting);
    expect(again.statusCode).toBe(200);
    expect(again.json().position).toBe(1);
  });

  it('applies a pause only if it is audited', async () => {
    const before = (await ok(t.app, 'GET', `/api/v1/campaigns/${GOOD}/queue`)).state;
    expect(before).toBe('open');
    // The audit log refuses the entry (a constraint added for the test): the pause is refused and undone.
    await sql`ALTER TABLE audit_log ADD CONSTRAINT refuse_pauses CHECK (action <> 'queue.paused') NOT VALID`.execute(t.ctx.db);
    try {
      const res = await t.app.inject({ method: 'POST', url: `/api/v1/admin/campaigns/${GOOD}/queue/pause`, headers: { ...operator, 'content-type': 'application/json' }, payload: { reason: '점검' } });
      expect(res.statusCode).toBeGreaterThanOrEqual(500);
      const snapshot = await t.ctx.waitingRoom.store.snapshot(GOOD, t.clock.now().getTime());
      expect(snapshot.paused).toBe(false);
    } finally {
      await sql`ALTER TABLE audit_log DROP CONSTRAINT refuse_pauses`.execute(t.ctx.db);
    }
    await ok(t.app, 'POST', `/api/v1/admin/campaigns/${GOOD}/queue/pause`, { reason: '점검' }, operator);
    expect((await t.ctx.waitingRoom.store.snapshot(GOOD, t.clock.now().getTime())).pausedReason).toBe('점검');
    const audited = await t.ctx.db.selectFrom('audit_log').select(['action', 'target']).where('target', '=', `campaign:${GOOD}`).where('action', 'like', 'queue.%').execute();
    expect(audited).toEqual([{ action: 'queue.paused', target: `campaign:${GOOD}` }]);
  });
});
