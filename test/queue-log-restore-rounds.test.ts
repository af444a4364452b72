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

type Of<K extends LogEntry['kind']> = Extract<LogEntry, { kind: K }>;
const only = <K extends LogEntry['kind']>(entries: LogEntry[], kind: K) => entries.filter((e): e is Of<K> => e.kind === kind);

/**
 * Issue 22: a store that loses its unstored events during a pre-queue round loses the round's
 * `enter` entries not yet logged, and, past the opening, its `draw`. The journal holds the round's
 * members and the opened rounds' bases, so the restarted node's sequencer logs them again: the
 * missing entries, then the draw. An outsider's replay then finds the round's count and order
 * whole, and every holder at the place their ticket says. The in-process store, "killed" as in
 * test/queue-log-restore.test.ts: a new store restored from the journal, with its own sequencer.
 */
describe('the queue log after a store lost a pre-queue round’s events', () => {
  let t: TestApp;
  let openings: QueueOpenings;
  const now = () => t.clock.now().getTime();

  beforeAll(async () => {
    t = await startTestApp({ now: '2026-08-09T10:00:00Z' });
    openings = new QueueOpenings(t.config.secrets.personPepper);
  });
  afterAll(() => t.close());

  /** A campaign whose pre-queue opens at 19:00 Seoul and is drawn at 20:00. */
  async function campaign() {
    const C = `round-${randomBytes(4).toString('hex')}`;
    t.clock.set('2026-08-09T10:00:00Z');
    await ok(t.app, 'POST', '/api/v1/admin/campaigns', openCampaign(C), operator);
    t.clock.set('2026-08-09T19:30:00+09:00');
    await t.ctx.waitingRoom.refresh();
    const enter = async () => {
      const who = await person(t.app);
      const res = await t.app.inject({ method: 'POST', url: `/api/v1/campaigns/${C}/queue/tickets`, headers: who });
      expect([res.statusCode, res.json().state]).toEqual([201, 'prequeue']);
      return { personKey: personKeyOfSession(who), ticket: res.json().ticket as string };
    };
    /** From here the process's events are never stored (it dies before its sequencer's next step). */
    const stopLogging = () => {
      const forCampaign = t.ctx.queueLogs.forCampaign.bind(t.ctx.queueLogs);
      t.ctx.queueLogs.forCampaign = (id) => (id === C ? null : forCampaign(id));
      return () => void (t.ctx.queueLogs.forCampaign = forCampaign);
    };
    /** The restarted process: its store from the journal, its events in a new epoch, its own sequencer. */
    const restart = async () => {
      const store = new MemoryQueueStore(openings);
      await restoreJournal(t.ctx.db, store, now());
      return { store, sequencer: new QueueSequencer(store, t.ctx.queueLogs, openings, t.ctx.db, queueRecoveryFrom(t.ctx.db), now, 'restarted') };
    };
    const commitment = (personKey: string) => openings.commitment(C, personKey).toString('base64');
    return { C, enter, stopLogging, restart, commitment };
  }

  it('logs the entries and the draw of a round opened after its last entries were logged, and the replay is clean', async () => {
    const { C, enter, stopLogging, restart, commitment } = await campaign();
    const logged = [await enter(), await enter()];
    await t.ctx.waitingRoom.refresh();
    expect(only((await readServedLog(t.app, C, true)).decoded, 'enter')).toHaveLength(2);
    const resume = stopLogging();
    const lost = [await enter(), await enter(), await enter()];
    // The opening: the round is drawn and journalled (its base in the checkpoint), its draw never logged.
    t.clock.set('2026-08-09T20:00:00+09:00');
    await t.ctx.waitingRoom.refresh();
    resume();

    const { store, sequencer } = await restart();
    // Three entries, then the draw.
    expect(await sequencer.step(C)).toBe(4);
    expect(await sequencer.step(C)).toBe(0);

    const { decoded, entries } = await readServedLog(t.app, C, true);
    expect(decoded.map((e) => e.kind)).toEqual(['seed', 'enter', 'enter', 'enter', 'enter', 'enter', 'draw']);
    expect(only(decoded, 'enter').slice(2).map((e) => e.commitment.toString('base64')).sort()).toEqual(lost.map((p) => commitment(p.personKey)).sort());
    expect(only(decoded, 'draw')[0]).toMatchObject({ round: 0, base: 0, count: 5 });
    const replay = replayLog(entries);
    expect(replay.violations).toEqual([]);
    // Every holder is where the store placed them.
    for (const p of [...logged, ...lost]) expect(replay.positions.get(commitment(p.personKey))).toBe(await store.positionOf(C, p.personKey));
  });

  it('logs the lost entries of a round not opened yet; its draw follows at the opening, and the replay is clean', async () => {
    const { C, enter, stopLogging, restart, commitment } = await campaign();
    const logged = await enter();
    await t.ctx.waitingRoom.refresh();
    const resume = stopLogging();
    const lost = [await enter(), await enter()];
    await t.ctx.waitingRoom.refresh();
    resume();

    const { store, sequencer } = await restart();
    expect(await sequencer.step(C)).toBe(2);
    // Someone new enters the restarted node's round: logged once, from their own event.
    const late = await (async () => {
      const who = await person(t.app);
      expect((await store.join(C, personKeyOfSession(who), now(), 0)).position).toBeNull();
      return { personKey: personKeyOfSession(who) };
    })();
    expect(await sequencer.step(C)).toBe(1);
    t.clock.set('2026-08-09T20:00:00+09:00');
    await store.open(C, 0, now());
    expect(await sequencer.step(C)).toBe(1);

    const { decoded, entries } = await readServedLog(t.app, C, true);
    expect(decoded.map((e) => e.kind)).toEqual(['seed', 'enter', 'enter', 'enter', 'enter', 'draw']);
    expect(only(decoded, 'draw')[0]).toMatchObject({ round: 0, base: 0, count: 4 });
    const replay = replayLog(entries);
    expect(replay.violations).toEqual([]);
    for (const p of [logged, ...lost, late]) expect(replay.positions.get(commitment(p.personKey))).toBe(await store.positionOf(C, p.personKey));
  });
});
