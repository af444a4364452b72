import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCheckpoint } from '../src/modules/transparency/domain/checkpoint.ts';
import { decodeEntry, type LogEntry } from '../src/modules/transparency/domain/log-entries.ts';
import { leafHash, rootHash } from '../src/modules/transparency/domain/merkle.ts';
import { verifyInclusion } from '../src/modules/transparency/domain/merkle-verify.ts';
import { replayLog } from '../src/modules/transparency/domain/order-of-service.ts';
import { commitmentOf, drawnOrder, orderHashOf, seedHashOf } from '../src/modules/transparency/domain/prequeue-order.ts';
import { openNote, verifierOf } from '../src/lib/signed-note.ts';
import { QueueLogs } from '../src/modules/transparency/queue-log.ts';
import { QueueOpenings } from '../src/modules/transparency/queue-openings.ts';
import { QueueSequencer } from '../src/modules/transparency/queue-sequencer.ts';
import { queueRecoveryFrom } from '../src/modules/waiting-room/queue-journal.repository.ts';
import { ok, openCampaign, operator, person, personKeyOfSession } from './support/fixtures.ts';
import { readServedLog } from './support/queue-log-reader.ts';
import { deleteAppCampaignKeys, redisUrl } from './support/redis.ts';
import { startTestApp, type TestApp } from './support/test-app.ts';

/**
 * The queue writes its transparency log (docs/transparency.md): a pre-queue, its opening, first
 * come, first served places, the queue's advances, admissions, a pause — each in the log, in the
 * order it happened, read back over HTTP as an outsider would and checked against what the people
 * were told. With the in-process store always, and with Redis when REDIS_URL is set.
 */
const kinds = [{ name: 'in-process store', env: {} as Record<string, string> }, ...(redisUrl ? [{ name: 'Redis store', env: { REDIS_URL: redisUrl } }] : [])];

type Of<K extends LogEntry['kind']> = Extract<LogEntry, { kind: K }>;
const only = <K extends LogEntry['kind']>(entries: LogEntry[], kind: K) => entries.filter((e): e is Of<K> => e.kind === kind);

describe.each(kinds)('the queue’s log, with the $name', ({ env }) => {
  let t: TestApp;
  /** Everyone who joined, with the place they were told. */
  const people: { who: { authorization: string }; ticket: string; position: number }[] = [];
  const C = `log-${randomBytes(4).toString('hex')}`;
  const base = `/api/v1/campaigns/${C}`;
  const join = (who: { authorization: string }) => t.app.inject({ method: 'POST', url: `${base}/queue/tickets`, headers: who });
  const admit = (ticket: string) => t.app.inject({ method: 'POST', url: `${base}/admissions`, headers: { authorization: `Bearer ${ticket}` } });
  async function at(instant: string) {
    t.clock.set(instant);
    await t.ctx.waitingRoom.refresh();
  }

  beforeAll(async () => {
    t = await startTestApp({ now: '2026-08-09T10:00:00Z', env });
    await ok(t.app, 'POST', '/api/v1/admin/campaigns', openCampaign(C, { admission: { mode: 'fixed', ratePerSecond: 4, maxActive: 100 } }), operator);
    await t.ctx.waitingRoom.refresh();
  });
  afterAll(async () => {
    await t.close();
    await deleteAppCampaignKeys(env, C);
  });

  it('logs every place, the draw, each advance, admission and pause, in order; an outsider re-runs the draw', async () => {
    const openings = new QueueOpenings(t.config.secrets.personPepper);
    const commitmentOfPerson = (who: { authorization: string }) => openings.commitment(C, personKeyOfSession(who)).toString('base64');
    // Six people wait in the pre-queue (from 19:00 Seoul), drawn at 20:00; four more come after.
    await at('2026-08-09T19:30:00+09:00');
    const early = [];
    for (let i = 0; i < 6; i++) {
      const who = await person(t.app);
      const res = await join(who);
      // A place just handed out is not in the log yet: the sequencer numbers it a refresh later.
      expect(res.json()).toMatchObject({ position: null, state: 'prequeue', leafIndex: null });
      early.push({ who, ticket: res.json().ticket as string });
    }
    // The refresh runs every 250 ms: the one before 20:00 and the opening's.
    await at('2026-08-09T19:59:59.750+09:00');
    await at('2026-08-09T20:00:00+09:00');
    const late = [];
    for (let i = 0; i < 4; i++) {
      const who = await person(t.app);
      const res = await join(who);
      late.push({ who, ticket: res.json().ticket as string, position: res.json().position as number });
    }
    expect(late.map((p) => p.position)).toEqual([7, 8, 9, 10]);
    // At 4 a second, a quarter of a second serves place 1, a second more 2–5: three are admitted,
    // one not reached is refused.
    await at('2026-08-09T20:00:01+09:00');
    const placeOf = new Map<string, number>();
    for (const p of early) placeOf.set(p.ticket, (await ok(t.app, 'GET', `${base}/queue/tickets/me`, undefined, { authorization: `Bearer ${p.ticket}` })).position);
    const reached = early.filter((p) => placeOf.get(p.ticket)! <= 5).slice(0, 3);
    for (const p of reached) expect((await admit(p.ticket)).statusCode).toBe(201);
    expect((await admit(late[3]!.ticket)).statusCode).toBe(425);
    await ok(t.app, 'POST', `/api/v1/admin/campaigns/${C}/queue/pause`, { reason: 'checking the log' }, operator);
    await ok(t.app, 'POST', `/api/v1/admin/campaigns/${C}/queue/resume`, undefined, operator);
    await at('2026-08-09T20:00:03+09:00');

    const { checkpoint, read, decoded } = await readServedLog(t.app, C, true);
    expect(checkpoint.size).toBe(decoded.length);
    expect(rootHash(read, checkpoint.size).equals(checkpoint.root)).toBe(true);
    expect(decoded.map((e) => e.kind)).toEqual(['seed', 'enter', 'enter', 'enter', 'enter', 'enter', 'enter', 'draw', 'serve', 'place', 'place', 'place', 'place', 'serve', 'admit', 'admit', 'admit', 'pause', 'resume', 'serve']);

    // The draw: the seed revealed is the one committed before anyone entered, and it orders the
    // entries as the people were placed.
    const [seed] = only(decoded, 'seed');
    const [draw] = only(decoded, 'draw');
    expect(seedHashOf(draw!.seed).equals(seed!.seedHash)).toBe(true);
    expect(draw).toMatchObject({ round: 0, base: 0, count: 6 });
    const entered = only(decoded, 'enter').map((e) => e.commitment);
    expect(entered.map((c) => c.toString('base64')).sort()).toEqual(early.map((p) => commitmentOfPerson(p.who)).sort());
    const order = drawnOrder(draw!.seed, entered);
    expect(orderHashOf(order).equals(draw!.orderHash)).toBe(true);
    for (const p of early) expect(order.findIndex((c) => c.toString('base64') === commitmentOfPerson(p.who)) + 1).toBe(placeOf.get(p.ticket));

    // First come, first served: each place names its holder's commitment, in order.
    expect(only(decoded, 'place').map((e) => [e.position, e.commitment.toString('base64')])).toEqual(late.map((p) => [p.position, commitmentOfPerson(p.who)]));
    // Served up to 1, 5, then on to 10 after the pause; every admission is of a place already served.
    expect(only(decoded, 'serve').map((e) => e.servingUpTo)).toEqual([1, 5, 10]);
    expect(only(decoded, 'admit').map((e) => e.position).sort()).toEqual(reached.map((p) => placeOf.get(p.ticket)).sort());
    // Times are the server's, in order.
    const times = decoded.map((e) => e.atMs);
    expect(times).toEqual([...times].sort((a, b) => a - b));
    // No person key anywhere in the log.
    const text = decoded.map((e) => JSON.stringify(e)).join('\n');
    for (const p of [...early, ...late]) expect(text).not.toContain(personKeyOfSession(p.who));
    people.push(...early.map((p) => ({ who: p.who, ticket: p.ticket, position: placeOf.get(p.ticket)! })), ...late);
  });

  it('gives every holder a receipt that an outsider verifies: their entry, its proof in the signed checkpoint, their opening', async () => {
    t.clock.advance(1000);
    const key = (await t.app.inject({ method: 'GET', url: '/api/v1/log/key' })).body.trim();
    for (const p of people) {
      const res = await t.app.inject({ method: 'GET', url: `${base}/queue/tickets/me/proof`, headers: { authorization: `Bearer ${p.ticket}` } });
      expect(res.statusCode).toBe(200);
      const receipt = res.json();
      const checkpoint = parseCheckpoint(openNote(receipt.checkpoint, [verifierOf(key)]).text);
      const entry = Buffer.from(receipt.entry, 'base64');
      const proof = (receipt.proof as string[]).map((h) => Buffer.from(h, 'base64'));
      expect(verifyInclusion(receipt.leafIndex, checkpoint.size, leafHash(entry), proof, checkpoint.root)).toBe(true);
      const decoded = decodeEntry(entry);
      // Asking for the place again answers where it stands in the log.
      expect((await join(p.who)).json()).toMatchObject({ ticket: expect.any(String), position: p.position, leafIndex: receipt.leafIndex });
      const commitment = commitmentOf(Buffer.from(receipt.opening, 'base64'));
      expect('commitment' in decoded && decoded.commitment.equals(commitment)).toBe(true);
      if (decoded.kind === 'place') {
        expect(decoded.position).toBe(p.position);
        expect(receipt.draw).toBeNull();
      } else {
        // A pre-queue entry: the round's draw, proven in the same tree, fixes the place.
        const drawEntry = Buffer.from(receipt.draw.entry, 'base64');
        const drawProof = (receipt.draw.proof as string[]).map((h) => Buffer.from(h, 'base64'));
        expect(verifyInclusion(receipt.draw.leafIndex, checkpoint.size, leafHash(drawEntry), drawProof, checkpoint.root)).toBe(true);
        const draw = decodeEntry(drawEntry) as Of<'draw'>;
        const { decoded: all } = await readServedLog(t.app, C, true);
        const order = drawnOrder(draw.seed, only(all, 'enter').filter((e) => e.round === draw.round).map((e) => e.commitment));
        expect(draw.base + order.findIndex((c) => c.equals(commitment)) + 1).toBe(p.position);
      }
    }
    // Someone else's ticket is refused; without one, 401.
    expect((await t.app.inject({ method: 'GET', url: `${base}/queue/tickets/me/proof` })).statusCode).toBe(401);
  });

  it.skipIf(env.REDIS_URL)('stores no event twice when its writer dies between storing and dropping them: the next one reads the cursor', async () => {
    // Two nodes' sequencers over this store (the lease is the in-process store's own: always held).
    const store = t.ctx.waitingRoom.store;
    const sequencerOf = (name: string) => new QueueSequencer(store, new QueueLogs(t.ctx.db, t.config.secrets.logSigner, t.clock), new QueueOpenings(t.config.secrets.personPepper), t.ctx.db, queueRecoveryFrom(t.ctx.db), () => t.clock.now().getTime(), name);
    for (let i = 0; i < 3; i++) await join(await person(t.app));
    const before = (await readServedLog(t.app, C, true)).decoded.length;
    const drop = store.dropEvents.bind(store);
    store.dropEvents = async () => {
      throw new Error('killed after storing, before dropping');
    };
    await expect(sequencerOf('node a').step(C)).rejects.toThrow('killed');
    store.dropEvents = drop;
    expect((await store.recordedEvents(C, 10)).events).toHaveLength(3);
    await expect(sequencerOf('node b').step(C)).resolves.toBe(0);
    expect((await store.recordedEvents(C, 10)).events).toEqual([]);
    t.clock.advance(1000);
    const { decoded } = await readServedLog(t.app, C, true);
    expect(decoded.slice(before).map((e) => e.kind)).toEqual(['place', 'place', 'place']);
    expect(new Set(only(decoded, 'place').map((e) => e.position)).size).toBe(only(decoded, 'place').length);
  });

  it('stores each recorded change once: a second refresh appends nothing new, the store keeps no backlog', async () => {
    const log = (await t.ctx.queueLogs.forCampaign(C))!;
    t.clock.advance(250);
    await t.ctx.waitingRoom.refresh();
    const size = log.size;
    expect(size).toBe(env.REDIS_URL ? 20 : 24);
    // Nothing happened since: a refresh at the same instant records nothing and appends nothing.
    await t.ctx.waitingRoom.refresh();
    expect(log.size).toBe(size);
    expect((await t.ctx.waitingRoom.store.recordedEvents(C, 10)).events).toEqual([]);
  });

  it('logs each admission that expired unused as a skip of its place, at its expiry; the replay finds the log clean', async () => {
    const before = (await readServedLog(t.app, C, true)).decoded;
    const admitted = only(before, 'admit').map((e) => e.position);
    expect(admitted).toHaveLength(3);
    // Admissions last 10 minutes unextended; nobody booked.
    t.clock.advance(601_000);
    await t.ctx.waitingRoom.refresh();
    t.clock.advance(1000);
    const { decoded, entries } = await readServedLog(t.app, C, true);
    const skips = only(decoded.slice(before.length), 'skip');
    expect(skips.map((e) => e.position).sort()).toEqual([...admitted].sort());
    expect(skips.every((e) => e.reason === 'expired')).toBe(true);
    const admittedAt = new Map(only(before, 'admit').map((e) => [e.position, e.atMs]));
    for (const skip of skips) expect(skip.atMs).toBe(admittedAt.get(skip.position)! + 600_000);
    expect(replayLog(entries).violations).toEqual([]);
  });
});
