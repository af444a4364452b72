import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../src/infra/db/database.ts';
import { migrateToLatest } from '../src/infra/db/migrate.ts';
import { connectRedis } from '../src/infra/redis.ts';
import { persistJournal, queueRecoveryFrom } from '../src/modules/waiting-room/queue-journal.repository.ts';
import { RESTART_GAP } from '../src/modules/waiting-room/queue-journal.ts';
import { campaignKeys } from '../src/modules/waiting-room/redis/queue-keys.ts';
import { RedisQueueStore } from '../src/modules/waiting-room/redis/redis-queue-store.ts';
import { deleteKeys, randomKeyPrefix, redisUrl } from './support/redis.ts';

/**
 * Redis loses its data (a FLUSHALL, a failover to an empty replica, AOF off): every place and
 * admission journalled to the database comes back; places handed out in the last moments before
 * the loss stay their holders' (new places start RESTART_GAP past the last known); nobody's
 * place moves. On real Redis, with the journal in a real (embedded) PostgreSQL.
 */
describe.skipIf(!redisUrl)('the Redis queue store after Redis lost its data', () => {
  let database: Database;
  beforeAll(async () => {
    database = await openDatabase({ databaseUrl: null, dataDir: null, poolSize: 1 });
    await migrateToLatest(database.db);
  });
  afterAll(() => database?.close());

  it('restores places, pre-queue order, counters and admissions from the journal, and hands out no place twice', async () => {
    const prefix = randomKeyPrefix();
    const clients = await Promise.all([1, 2, 3].map(() => connectRedis(redisUrl!)));
    const nodes = clients.map((client) => new RedisQueueStore(client, prefix, queueRecoveryFrom(database.db)));
    const c = `loss-${randomBytes(4).toString('hex')}`;
    const T0 = Date.parse('2026-08-09T11:00:00Z');
    const node = (i: number) => nodes[i % nodes.length]!;
    const persistAll = async () => {
      for (const n of nodes) await persistJournal(database.db, n.drainJournal(), new Date(T0));
    };
    try {
      // 40 people in the pre-queue, the opening, 60 first come, first served, through three nodes.
      for (let i = 0; i < 40; i += 1) await node(i).join(c, `early-${i}`, T0 - 60_000, 0);
      await node(0).open(c, 0, T0);
      for (let i = 0; i < 60; i += 1) await node(i).join(c, `late-${i}`, T0 + i, null);
      await node(1).tick(c, T0, { ratePerSecond: 50, maxActive: 1000 });
      await node(2).tick(c, T0 + 1000, { ratePerSecond: 50, maxActive: 1000 });
      const admitted = await node(0).admit(c, 'early-0', (await node(0).positionOf(c, 'early-0'))!, T0 + 1000, 600_000);
      const people = [...Array.from({ length: 40 }, (_, i) => `early-${i}`), ...Array.from({ length: 60 }, (_, i) => `late-${i}`)];
      const before = await Promise.all(people.map((p, i) => node(i).positionOf(c, p)));
      const snapshot = await node(0).snapshot(c, T0 + 1000);
      await persistAll();
      // Three more places are handed out but not journalled when Redis loses everything.
      const unjournalled = await Promise.all([0, 1, 2].map((i) => node(i).join(c, `last-moment-${i}`, T0 + 2000, null)));
      await deleteKeys(clients[0]!, prefix);

      // Any node's first call restores the campaign; the others wait for it or find it done.
      const after = await Promise.all(people.map((p, i) => node(i + 1).positionOf(c, p)));
      expect(after).toEqual(before);
      expect(await node(2).snapshot(c, T0 + 1000)).toMatchObject({ servingUpTo: snapshot.servingUpTo, prequeueSize: 0, opened: true, openedRounds: 1, admitted: 1, activeAdmissions: 1 });
      expect(await node(1).admit(c, 'early-0', before[0]!, T0 + 1500, 600_000)).toMatchObject({ id: admitted!.id, created: false });
      // The unjournalled holders are not in line any more, but their places are never reused.
      for (const n of [0, 1, 2]) expect(await node(n).lookup(c, `last-moment-${n}`)).toBeNull();
      // Their signed tickets put them back where they were (the join route does this).
      for (const n of [0, 1, 2]) expect(await node(n + 1).reinstate(c, `last-moment-${n}`, unjournalled[n]!.position!, 0)).toBe(unjournalled[n]!.position);
      const newcomers = await Promise.all([0, 1, 2].map((i) => node(i).join(c, `newcomer-${i}`, T0 + 3000, null)));
      const highestBefore = Math.max(...unjournalled.map((r) => r.position!));
      expect(Math.min(...newcomers.map((r) => r.position!))).toBe(100 + RESTART_GAP + 1);
      expect(Math.min(...newcomers.map((r) => r.position!))).toBeGreaterThan(highestBefore);
    } finally {
      await deleteKeys(clients[0]!, prefix);
      await Promise.all(nodes.map((n) => n.close()));
    }
  });

  it('keeps the places handed out since the last journal write: every node writes its journal before the restore reads it', async () => {
    const prefix = randomKeyPrefix();
    const clients = await Promise.all([1, 2].map(() => connectRedis(redisUrl!)));
    const nodes = clients.map((client) => new RedisQueueStore(client, prefix, queueRecoveryFrom(database.db)));
    const T0 = Date.parse('2026-08-09T11:00:00Z');
    // What the app wires (src/bootstrap.ts): each node's journal writer.
    for (const n of nodes) n.flushBeforeRestore = () => persistJournal(database.db, n.drainJournal(), new Date(T0));
    const c = `loss-${randomBytes(4).toString('hex')}`;
    try {
      for (let i = 0; i < 20; i += 1) await nodes[i % 2]!.join(c, `p-${i}`, T0 + i, null);
      for (const n of nodes) await persistJournal(database.db, n.drainJournal(), new Date(T0));
      // Node 0 hands out a place, and Redis loses everything before node 0's next journal write.
      const lastMoment = await nodes[0]!.join(c, 'last-moment', T0 + 100, null);
      await deleteKeys(clients[0]!, prefix);
      // Node 1 meets the loss first (a join) and restores; node 0's refresh meets it 250 ms later.
      const newcomer = nodes[1]!.join(c, 'newcomer', T0 + 200, null);
      await new Promise((r) => setTimeout(r, 250));
      await nodes[0]!.tick(c, T0 + 300, { ratePerSecond: 1, maxActive: 1000 });
      expect((await newcomer).position).toBe(21 + RESTART_GAP + 1);
      // The last-moment place is back: the person's other device, on another node, finds it.
      expect(await nodes[1]!.lookup(c, 'last-moment')).toEqual({ position: lastMoment.position });
      expect(await nodes[1]!.join(c, 'last-moment', T0 + 400, null)).toEqual({ position: lastMoment.position, created: false });
    } finally {
      await deleteKeys(clients[0]!, prefix);
      await Promise.all(nodes.map((n) => n.close()));
    }
  });

  it('restores a pre-queue lost before the opening, so the opening still orders everyone by their secret draw', async () => {
    const prefix = randomKeyPrefix();
    const client = await connectRedis(redisUrl!);
    const store = new RedisQueueStore(client, prefix, queueRecoveryFrom(database.db));
    const c = `loss-${randomBytes(4).toString('hex')}`;
    try {
      for (let i = 0; i < 30; i += 1) await store.join(c, `early-${i}`, 0, 0);
      await persistJournal(database.db, store.drainJournal(), new Date());
      const draws = await database.db.selectFrom('queue_journalled_places').select(['person_key', 'draw']).where('campaign_id', '=', c).execute();
      await deleteKeys(client, prefix);
      expect(await store.lookup(c, 'early-7')).toEqual({ position: null });
      await store.open(c, 0, 0);
      const places = await Promise.all(draws.map((d) => store.positionOf(c, d.person_key)));
      const byDraw = [...draws].sort((a, b) => Number(BigInt(a.draw!) - BigInt(b.draw!)) || a.person_key.localeCompare(b.person_key));
      expect(byDraw.map((d) => places[draws.indexOf(d)])).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
    } finally {
      await deleteKeys(client, prefix);
      await store.close();
    }
  });

  it('sets up again, from the journal, a campaign whose Redis state was written before rounds existed', async () => {
    const prefix = randomKeyPrefix();
    const client = await connectRedis(redisUrl!);
    const store = new RedisQueueStore(client, prefix, queueRecoveryFrom(database.db));
    const c = `legacy-${randomBytes(4).toString('hex')}`;
    const k = campaignKeys(prefix, c);
    // The earlier format: 53-bit draws as scores, the opening's size and first-come count in the state.
    const early = Array.from({ length: 6 }, (_, i) => ({ person: `early-${i}`, draw: String(randomBytes(8).readBigUInt64BE() >> 11n) }));
    const byDraw = [...early].sort((a, b) => Number(BigInt(a.draw) - BigInt(b.draw)) || (a.person < b.person ? -1 : 1));
    try {
      await client.hset(k.state, 'initializedAtMs', '1', 'opened', '1', 'prequeueSize', '6', 'fcfs', '2', 'servingUpTo', '3');
      await client.zadd(k.prequeue, ...early.flatMap((e) => [e.draw, e.person]));
      await client.hset(k.places, 'late-0', '7', 'late-1', '8');
      // What the earlier version journalled (migration 0012 gave its draws round 0).
      await database.db.insertInto('queue_places').values([
        ...early.map((e) => ({ campaign_id: c, person_key: e.person, position: null, draw: e.draw, round: 0 })),
        { campaign_id: c, person_key: 'late-0', position: 7, draw: null, round: null },
        { campaign_id: c, person_key: 'late-1', position: 8, draw: null, round: null },
      ]).execute();
      const legacy = { fcfsCount: 2, opened: true, prequeueSize: 6, servingUpTo: 3, carry: 0, lastTickMs: null, paused: false, pausedReason: null, closed: false, admitted: 0, rate: { mean: 0, variance: 0, samples: 0 }, targetRate: 1 };
      await database.db.insertInto('queue_checkpoints').values({ campaign_id: c, state: JSON.stringify(legacy), saved_at: new Date() }).execute();

      expect(await Promise.all(byDraw.map((e) => store.positionOf(c, e.person)))).toEqual([1, 2, 3, 4, 5, 6]);
      expect(await store.lookup(c, 'late-1')).toEqual({ position: 8 });
      expect(await store.snapshot(c, 0)).toMatchObject({ issuedUpTo: 8 + RESTART_GAP, servingUpTo: 3, openedRounds: 1, prequeueSize: 0 });
      expect(await client.hexists(k.state, 'opened')).toBe(0);
      expect((await store.join(c, 'newcomer', 0, null)).position).toBe(8 + RESTART_GAP + 1);
    } finally {
      await deleteKeys(client, prefix);
      await store.close();
    }
  });
});
