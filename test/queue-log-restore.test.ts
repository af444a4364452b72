import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LogEntry } from '../src/modules/transparency/domain/log-entries.ts';
import { replayLog } from '../src/modules/transparency/domain/order-of-service.ts';
import { QueueOpenings } from '../src/modules/transparency/queue-openings.ts';
import { QueueSequencer } from '../src/modules/transparency/queue-sequencer.ts';
import { MemoryQueueStore } from '../src/modules/waiting-room/memory-queue-store.ts';
import { queueRecoveryFrom, restoreJournal } from '../src/modules/waiting-room/queue-journal.repository.ts';
import { ok, openCampaign, operator, person, personKeyOfSession } from './support/fixtures.ts';
import { loseJournalledPlaces } from './support/journalled-places.ts';
import { readServedLog } from './support/queue-log-reader.ts';
import { deleteAppCampaignKeys, redisUrl } from './support/redis.ts';
import { startTestApp, type TestApp } from './support/test-app.ts';

type Of<K extends LogEntry['kind']> = Extract<LogEntry, { kind: K }>;
const only = <K extends LogEntry['kind']>(entries: LogEntry[], kind: K) => entries.filter((e): e is Of<K> => e.kind === kind);

/**
 * Issue 22: a store that loses its state takes with it the events the sequencer had not stored
 * yet, but not the places: they are in the journal, or come back with their holders' signed
 * tickets. Both are logged as `restore` entries, so the log still names every holder and an
 * outsider's replay finds it clean. The in-process store here, "killed" after handing out places
 * whose events were never stored: a new store restored from the journal, as a restarted process
 * builds it, with its own sequencer over the same log.
 */
describe('the queue log after a store lost its unstored events', () => {
  let t: TestApp;
  const C = `lost-${randomBytes(4).toString('hex')}`;
  const base = `/api/v1/campaigns/${C}`;
  let openings: QueueOpenings;
  const join = async () => {
    const who = await person(t.app);
    const res = await t.app.inject({ method: 'POST', url: `${base}/queue/tickets`, headers: who });
    expect(res.statusCode).toBe(201);
    return { personKey: personKeyOfSession(who), position: res.json().position as number, ticket: res.json().ticket as string };
  };
  const commitmentOf = (personKey: string) => openings.commitment(C, personKey).toString('base64');

  beforeAll(async () => {
    t = await startTestApp({ now: '2026-08-09T10:00:00Z' });
    openings = new QueueOpenings(t.config.secrets.personPepper);
    await ok(t.app, 'POST', '/api/v1/admin/campaigns', openCampaign(C, { admission: { mode: 'fixed', ratePerSecond: 4, maxActive: 100 } }), operator);
    t.clock.set('2026-08-09T20:00:00+09:00');
    await t.ctx.waitingRoom.refresh();
  });
  afterAll(() => t.close());

  it('logs the journalled places and admissions it lost (restore, serve, admit), places from tickets too, each once; the replay is clean', async () => {
    const first = await join();
    await t.ctx.waitingRoom.refresh();
    t.clock.advance(1000);
    expect(only((await readServedLog(t.app, C, true)).decoded, 'place').map((e) => e.position)).toEqual([first.position]);
    // From here the process's events are never stored (it dies before its sequencer's next step):
    // three more places and an admission, each journalled before its answer, and the queue's advance.
    const forCampaign = t.ctx.queueLogs.forCampaign.bind(t.ctx.queueLogs);
    t.ctx.queueLogs.forCampaign = () => null;
    const [second, third, fourth] = [await join(), await join(), await join()];
    expect([second, third, fourth].map((p) => p.position)).toEqual([2, 3, 4]);
    await t.ctx.waitingRoom.refresh();
    const admitted = await t.app.inject({ method: 'POST', url: `${base}/admissions`, headers: { authorization: `Bearer ${second.ticket}` } });
    expect(admitted.statusCode).toBe(201);
    t.ctx.queueLogs.forCampaign = forCampaign;
    // The fourth's journal write, and the first's, are lost too (on Redis the journal follows the store).
    await loseJournalledPlaces(t.ctx.db, C, (p) => p.personKey === first.personKey || p.personKey === fourth.personKey);

    // The restarted process: its store from the journal, its events in a new epoch, its own sequencer.
    const now = () => t.clock.now().getTime();
    const restarted = new MemoryQueueStore(openings);
    await restoreJournal(t.ctx.db, restarted, now());
    const sequencer = new QueueSequencer(restarted, t.ctx.queueLogs, openings, t.ctx.db, queueRecoveryFrom(t.ctx.db), now, 'restarted');
    // The journal's two places, then the admission: the advance that reached it, and the admission.
    expect(await sequencer.step(C)).toBe(4);
    expect(await sequencer.step(C)).toBe(0);

    // Their tickets bring the other two back: the fourth's place was never logged, the first's was.
    t.clock.advance(1000);
    expect(await restarted.reinstate(C, fourth.personKey, 4, now())).toBe(4);
    expect(await restarted.reinstate(C, first.personKey, 1, now())).toBe(1);
    expect(await sequencer.step(C)).toBe(1);
    t.clock.advance(1000);

    const { decoded, entries } = await readServedLog(t.app, C, true);
    const restores = only(decoded, 'restore');
    expect(restores.map((e) => [e.position, e.commitment.toString('base64')])).toEqual([
      [2, commitmentOf(second.personKey)],
      [3, commitmentOf(third.personKey)],
      [4, commitmentOf(fourth.personKey)],
    ]);
    expect(only(decoded, 'admit').map((e) => e.position)).toEqual([2]);
    expect(only(decoded, 'serve').map((e) => e.servingUpTo)).toEqual([2]);
    const replay = replayLog(entries);
    expect(replay.violations).toEqual([]);
    expect(replay.counts.restore).toBe(3);
    for (const p of [first, second, third, fourth]) expect(replay.positions.get(commitmentOf(p.personKey))).toBe(p.position);
  });

  it('refuses a restore of a place someone holds, and a second place for one holder', () => {
    const c = (n: number) => Buffer.alloc(32, n);
    const line = (e: string) => Buffer.from(`${e}\n`, 'ascii');
    const b64 = (n: number) => c(n).toString('base64');
    const { violations } = replayLog([line(`place 1 1000 ${b64(1)}`), line(`restore 1 2000 ${b64(2)}`), line(`restore 2 3000 ${b64(1)}`), line(`restore 5 4000 ${b64(3)}`)]);
    expect(violations).toEqual(['leaf 1: place 1 restored, but it is held already', `leaf 2: a second place for one holder (${b64(1)})`]);
  });
});

/**
 * On Redis, a place lives only in Redis until the next refresh journals it (its 201 is durable by
 * Redis's own log). Redis wiped before that: the place and its event are gone, and the holder's
 * ticket brings the place back (`reinstate`, a `restore` event in the same script), which the
 * sequencer logs since the log never named the holder.
 */
describe.skipIf(!redisUrl)('the queue log after Redis lost its data', () => {
  let t: TestApp;
  const C = `wiped-${randomBytes(4).toString('hex')}`;
  const base = `/api/v1/campaigns/${C}`;
  const env = { REDIS_URL: redisUrl ?? '' };

  beforeAll(async () => {
    t = await startTestApp({ now: '2026-08-09T10:00:00Z', env });
    await ok(t.app, 'POST', '/api/v1/admin/campaigns', openCampaign(C, { admission: { mode: 'fixed', ratePerSecond: 4, maxActive: 100 } }), operator);
    t.clock.set('2026-08-09T20:00:00+09:00');
    await t.ctx.waitingRoom.refresh();
  });
  afterAll(async () => {
    await t.close();
    await deleteAppCampaignKeys(env, C);
  });

  it('logs a place its ticket reinstated as a restore entry, and the replay is clean', async () => {
    const openings = new QueueOpenings(t.config.secrets.personPepper);
    const logged = await person(t.app);
    expect((await t.app.inject({ method: 'POST', url: `${base}/queue/tickets`, headers: logged })).statusCode).toBe(201);
    await t.ctx.waitingRoom.refresh();
    // A place handed out after the last refresh: neither journalled nor logged when Redis is wiped.
    const who = await person(t.app);
    const joined = await t.app.inject({ method: 'POST', url: `${base}/queue/tickets`, headers: who });
    const { ticket, position } = joined.json() as { ticket: string; position: number };
    await deleteAppCampaignKeys(env, C);
    const again = await t.app.inject({ method: 'POST', url: `${base}/queue/tickets`, headers: { ...who, cookie: `yeyak_ticket=${ticket}` } });
    expect([again.statusCode, again.json().position]).toEqual([200, position]);
    t.clock.advance(250);
    await t.ctx.waitingRoom.refresh();
    t.clock.advance(1000);
    const { decoded, entries } = await readServedLog(t.app, C, true);
    const commitment = openings.commitment(C, personKeyOfSession(who)).toString('base64');
    expect(only(decoded, 'restore').map((e) => [e.position, e.commitment.toString('base64')])).toEqual([[position, commitment]]);
    const replay = replayLog(entries);
    expect(replay.violations).toEqual([]);
    expect(replay.positions.get(commitment)).toBe(position);
    expect(replay.positions.get(openings.commitment(C, personKeyOfSession(logged)).toString('base64'))).toBe(1);
  });
});
