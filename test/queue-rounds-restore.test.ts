import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../src/infra/db/database.ts';
import { migrateToLatest } from '../src/infra/db/migrate.ts';
import { connectRedis } from '../src/infra/redis.ts';
import { MemoryQueueStore } from '../src/modules/waiting-room/memory-queue-store.ts';
import { persistJournal, queueRecoveryFrom, restoreJournal } from '../src/modules/waiting-room/queue-journal.repository.ts';
import { RESTART_GAP, type JournallingStore } from '../src/modules/waiting-room/queue-journal.ts';
import type { QueueStore } from '../src/modules/waiting-room/queue-store.ts';
import { RedisQueueStore } from '../src/modules/waiting-room/redis/redis-queue-store.ts';
import { deleteKeys, randomKeyPrefix, redisUrl } from './support/redis.ts';

/**
 * A store that loses its state — the embedded node restarts, or Redis comes back empty — keeps
 * every round: the opened rounds' places (base + rank by draw), the waiting rounds' draws, and
 * new places after all of them. The journal is written to a real (embedded) PostgreSQL.
 */
const T0 = Date.parse('2026-08-09T11:00:00Z');
const DAY = 86_400_000;
const range = (n: number, prefix: string) => Array.from({ length: n }, (_, i) => `${prefix}-${i + 1}`);
const round0 = range(5, 'r0');
const round1 = range(6, 'r1');
const round2 = range(4, 'r2');
const everyone = [...round0, 'fcfs-1', 'fcfs-2', 'fcfs-3', ...round1, 'fcfs-4', 'fcfs-5', ...round2];

type Store = QueueStore & JournallingStore;

/** Two openings and first-come joins between them; round 2's pre-queue still waiting. */
async function fill(store: Store, c: string): Promise<void> {
  for (const p of round0) await store.join(c, p, T0 - 60_000, 0);
  for (const p of round1.slice(0, 2)) await store.join(c, p, T0 - 60_000, 1);
  await store.open(c, 0, 0);
  for (const p of ['fcfs-1', 'fcfs-2', 'fcfs-3']) await store.join(c, p, T0 + 1_000, null, 1);
  for (const p of round1.slice(2)) await store.join(c, p, T0 + DAY - 60_000, 1);
  await store.open(c, 1, 0);
  for (const p of ['fcfs-4', 'fcfs-5']) await store.join(c, p, T0 + DAY + 1_000, null, 2);
  for (const p of round2) await store.join(c, p, T0 + 2 * DAY - 60_000, 2);
  // Every node ticks every refresh; the tick's snapshot is the shared store's checkpoint.
  await store.tick(c, T0 + DAY + 2_000, { ratePerSecond: 1, maxActive: 100 });
}

/** Round 2's members in the order of their places after its opening. */
async function orderAfterOpening(store: Store, c: string): Promise<string[]> {
  await store.open(c, 2, 0);
  const places = await Promise.all(round2.map((p) => store.positionOf(c, p)));
  return [...round2].sort((a, b) => places[round2.indexOf(a)]! - places[round2.indexOf(b)]!);
}

describe('rounds after the queue store lost its state', () => {
  let database: Database;
  beforeAll(async () => {
    database = await openDatabase({ databaseUrl: null, dataDir: null, poolSize: 1 });
    await migrateToLatest(database.db);
  });
  afterAll(() => database?.close());

  async function expectRoundsKept(before: Store, lose: () => Promise<Store>, c: string): Promise<void> {
    await fill(before, c);
    const places = await Promise.all(everyone.map((p) => before.positionOf(c, p)));
    expect(places.slice(0, 16).sort((a, b) => a! - b!)).toEqual(Array.from({ length: 16 }, (_, i) => i + 1));
    const journal = before.drainJournal();
    await persistJournal(database.db, journal, new Date(T0));
    // The order round 2's opening must give: by secret draw (journalled, shown nowhere), ties by person key.
    const drawOf = new Map(journal.places.filter((p) => p.round === 2).map((p) => [p.personKey, BigInt(p.draw!)]));
    const expected = [...round2].sort((a, b) => (drawOf.get(a)! < drawOf.get(b)! ? -1 : drawOf.get(a)! > drawOf.get(b)! ? 1 : a < b ? -1 : 1));
    const after = await lose();

    expect(await Promise.all(everyone.map((p) => after.positionOf(c, p)))).toEqual(places);
    for (const p of round2) expect(await after.lookup(c, p)).toEqual({ position: null });
    expect(await after.snapshot(c, T0 + DAY + 2_000)).toMatchObject({ issuedUpTo: 16 + RESTART_GAP, prequeueSize: 4, openedRounds: 2 });
    // Round 2 opens after every place known (and the gap), in the order of the same secret draws.
    const order = await orderAfterOpening(after, c);
    expect(sorted(await Promise.all(round2.map((p) => after.positionOf(c, p))))).toEqual([1, 2, 3, 4].map((i) => 16 + RESTART_GAP + i));
    expect(order).toEqual(expected);
  }

  it('keeps the latest checkpoint when a node writes a snapshot taken before another node opened a round', async () => {
    const c = `rounds-${randomBytes(4).toString('hex')}`;
    const checkpoint = (issued: number, bases: number[], servingUpTo: number) => ({
      issued, bases, servingUpTo, carry: 0, lastTickMs: null, paused: false, pausedReason: null, closed: false, admitted: 0, rate: { mean: 0, variance: 0, samples: 0 }, targetRate: 1,
    });
    const write = (state: ReturnType<typeof checkpoint>) => persistJournal(database.db, { places: [], admissions: [], released: [], left: [], checkpoints: [{ campaignId: c, state }] }, new Date(T0));
    const stored = async () => (await queueRecoveryFrom(database.db).load(c)).state;
    await write(checkpoint(14, [0, 8], 3));
    await write(checkpoint(8, [0], 2)); // stale: before round 1 opened
    expect(await stored()).toMatchObject({ issued: 14, bases: [0, 8], servingUpTo: 3 });
    await write(checkpoint(14, [0, 8], 5)); // later: the queue moved on
    expect(await stored()).toMatchObject({ issued: 14, bases: [0, 8], servingUpTo: 5 });
  });

  it('in process: a restart of the embedded node keeps every round', async () => {
    const c = `rounds-${randomBytes(4).toString('hex')}`;
    await expectRoundsKept(new MemoryQueueStore(), async () => {
      const restarted = new MemoryQueueStore();
      await restoreJournal(database.db, restarted, T0);
      return restarted;
    }, c);
  });

  it.skipIf(!redisUrl)('on Redis: a Redis that lost its data gets every round back from the journal', async () => {
    const prefix = randomKeyPrefix();
    const client = await connectRedis(redisUrl!);
    const store = new RedisQueueStore(client, prefix, queueRecoveryFrom(database.db));
    const c = `rounds-${randomBytes(4).toString('hex')}`;
    try {
      await expectRoundsKept(store, async () => {
        await deleteKeys(client, prefix);
        return store;
      }, c);
    } finally {
      await deleteKeys(client, prefix);
      await store.close();
    }
  });
});

function sorted(values: (number | null)[]): (number | null)[] {
  return [...values].sort((a, b) => (a ?? 0) - (b ?? 0));
}
