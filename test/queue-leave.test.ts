import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LogEntry } from '../src/modules/transparency/domain/log-entries.ts';
import { replayLog } from '../src/modules/transparency/domain/order-of-service.ts';
import { QueueOpenings } from '../src/modules/transparency/queue-openings.ts';
import { QueueSequencer } from '../src/modules/transparency/queue-sequencer.ts';
import { MemoryQueueStore } from '../src/modules/waiting-room/memory-queue-store.ts';
import { queueRecoveryFrom, restoreJournal } from '../src/modules/waiting-room/queue-journal.repository.ts';
import { ok, openCampaign, operator, person, personKeyOfSession } from './support/fixtures.ts';
import { readServedLog } from './support/queue-log-reader.ts';
import { startTestApp, type TestApp } from './support/test-app.ts';

const skips = (entries: LogEntry[]) => entries.filter((e) => e.kind === 'skip').map((e) => (e.kind === 'skip' ? `${e.position} ${e.reason}` : ''));

/**
 * Issue 22, leaving the queue: `DELETE …/queue/tickets/me` with the ticket gives the place up for
 * good (200, idempotent), refuses once the turn has come (409), and the ticket answers 410 from
 * then on; a join after it is a new place at the back. The place is never admitted, the queue
 * passes it without spending the rate, the log says `skip <position> <time> abandoned` and an
 * outsider's replay finds it clean; a restarted process that lost the event logs it once.
 */
describe('leaving the queue', () => {
  let t: TestApp;
  const C = `leave-${randomBytes(4).toString('hex')}`;
  const base = `/api/v1/campaigns/${C}`;
  const bearer = (ticket: string) => ({ authorization: `Bearer ${ticket}` });
  const join = async (who: { authorization: string }) => t.app.inject({ method: 'POST', url: `${base}/queue/tickets`, headers: who });
  const leave = (ticket: string) => t.app.inject({ method: 'DELETE', url: `${base}/queue/tickets/me`, headers: bearer(ticket) });
  const status = (ticket: string) => t.app.inject({ method: 'GET', url: `${base}/queue/tickets/me`, headers: bearer(ticket) });
  const admit = (ticket: string) => t.app.inject({ method: 'POST', url: `${base}/admissions`, headers: bearer(ticket) });

  beforeAll(async () => {
    t = await startTestApp({ now: '2026-08-09T10:00:00Z' });
    await ok(t.app, 'POST', '/api/v1/admin/campaigns', openCampaign(C, { admission: { mode: 'fixed', ratePerSecond: 1, maxActive: 100 } }), operator);
    t.clock.set('2026-08-09T20:00:00+09:00');
    await t.ctx.waitingRoom.refresh();
  });
  afterAll(() => t.close());

  it('gives the place up (200, again 200), answers 410 to the ticket after, joins again at the back, never admits the place, and logs it once', async () => {
    const people = [await person(t.app), await person(t.app), await person(t.app)];
    const tickets: string[] = [];
    for (const who of people) tickets.push((await join(who)).json().ticket);
    const [first, second, third] = tickets as [string, string, string];

    const left = await leave(second);
    expect(left.statusCode).toBe(200);
    expect(left.json()).toEqual({ left: true, position: 2 });
    expect(left.headers['set-cookie']).toMatch(/yeyak_ticket=;.*Max-Age=0/);
    expect((await leave(second)).json()).toEqual({ left: true, position: 2 });
    for (const res of [await status(second), await admit(second)]) {
      expect(res.statusCode).toBe(410);
      expect(res.json().error.code).toBe('YEYAK_ERR_TICKET_LEFT');
    }
    // A mistaken leave is not final, but the old place is gone: a new one at the back.
    const again = await join(people[1]!);
    expect(again.statusCode).toBe(201);
    expect(again.json().position).toBe(4);
    expect((await status(second)).statusCode).toBe(410);
    expect((await status(again.json().ticket)).json()).toMatchObject({ position: 4 });

    // Two seconds at 1 a second: places 1 and 3 (2 passed for free), then the first may not leave.
    for (let i = 0; i < 8; i++) {
      t.clock.advance(250);
      await t.ctx.waitingRoom.refresh();
    }
    expect((await t.app.inject({ method: 'GET', url: `${base}/queue` })).json().servingUpTo).toBe(3);
    const served = await leave(first);
    expect(served.statusCode).toBe(409);
    expect(served.json().error.code).toBe('YEYAK_ERR_ALREADY_SERVED');
    expect((await admit(third)).statusCode).toBe(201);
    expect((await admit(second)).statusCode).toBe(410);

    // Bad input: no ticket, a forged one.
    expect((await t.app.inject({ method: 'DELETE', url: `${base}/queue/tickets/me` })).statusCode).toBe(401);
    expect((await leave('not-a-ticket')).statusCode).toBe(401);

    await t.ctx.waitingRoom.refresh();
    const { decoded, entries } = await readServedLog(t.app, C, true);
    expect(skips(decoded)).toEqual(['2 abandoned']);
    const replay = replayLog(entries);
    expect(replay.violations).toEqual([]);
    expect(replay.counts.skip).toBe(1);
  });

  it('logs a leave whose event a killed process lost, once, from the journal', async () => {
    const who = await person(t.app);
    const ticket = (await join(who)).json().ticket as string;
    await t.ctx.waitingRoom.refresh();
    // The process dies before its sequencer stores the leave's event (the leave is journalled first: 200 means durable).
    const forCampaign = t.ctx.queueLogs.forCampaign.bind(t.ctx.queueLogs);
    t.ctx.queueLogs.forCampaign = () => null;
    const { position } = (await leave(ticket)).json() as { position: number };
    t.ctx.queueLogs.forCampaign = forCampaign;

    const openings = new QueueOpenings(t.config.secrets.personPepper);
    const now = () => t.clock.now().getTime();
    const restarted = new MemoryQueueStore(openings);
    await restoreJournal(t.ctx.db, restarted, now());
    expect(await restarted.positionOf(C, personKeyOfSession(who))).toBeNull();
    expect(await restarted.reinstate(C, personKeyOfSession(who), position, now())).toBeNull();
    const sequencer = new QueueSequencer(restarted, t.ctx.queueLogs, openings, t.ctx.db, queueRecoveryFrom(t.ctx.db), now, 'restarted');
    expect(await sequencer.step(C)).toBe(1);
    expect(await sequencer.step(C)).toBe(0);
    t.clock.advance(1000);
    const { decoded, entries } = await readServedLog(t.app, C, true);
    expect(skips(decoded)).toEqual(['2 abandoned', `${position} abandoned`]);
    expect(replayLog(entries).violations).toEqual([]);
  });
});
