import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import { Migrator, type MigrationProvider } from 'kysely/migration';
import { describe, expect, it } from 'vitest';
import { MIGRATIONS } from '../src/infra/db/migrate.ts';
import { CampaignQueueLog, type NewEntry } from '../src/modules/transparency/queue-log.ts';
import { PlaceLeafIndexes } from '../src/modules/transparency/place-leaf-index.ts';
import { findLogSubject, firstLeavesOf, readLogEntries } from '../src/modules/transparency/queue-log.repository.ts';
import { useTestApp } from './support/test-app.ts';

/**
 * The queue log stored by bundle (migration 0026): a row per append and entry tile, the tree the
 * same as entry by entry, a writer that read an old end refused, entries found by position or by
 * subject, and the migration undone and done again with nothing lost.
 */
const t = useTestApp({ now: '2026-08-09T20:00:00+09:00' });

const C = 'bundled';
const commitment = (i: number) => createHash('sha256').update(`opening ${i}`).digest();
const place = (position: number): NewEntry => ({ entry: { kind: 'place', position, atMs: 1_000 + position, commitment: commitment(position) }, subject: null });
const enter = (i: number): NewEntry => ({ entry: { kind: 'enter', round: 1, atMs: 5, commitment: commitment(i) }, subject: commitment(i).toString('base64') });

/** A node's copy of the campaign's log, read from the database. */
async function loaded(): Promise<CampaignQueueLog> {
  const log = new CampaignQueueLog(C, `test/${C}`, t.ctx.db, t.config.secrets.logSigner!, t.clock);
  await log.load();
  return log;
}

const bundles = async () =>
  (await sql<{ first_index: number; count: number }>`SELECT first_index, count FROM queue_log_bundles WHERE campaign_id = ${C} ORDER BY first_index`.execute(t.ctx.db)).rows;

describe('the queue log stored by bundle', () => {
  it('stores each append as bundles that never cross an entry tile, and reads back every entry and the same tree', async () => {
    const writer = await loaded();
    await writer.append([{ entry: { kind: 'seed', round: 1, atMs: 4, seedHash: commitment(0) }, subject: 'seed 1' }, ...Array.from({ length: 3 }, (_, i) => enter(i + 1))]);
    await writer.append(Array.from({ length: 246 }, (_, i) => place(i + 1)));
    await writer.append(Array.from({ length: 270 }, (_, i) => place(i + 247)));
    expect(await bundles()).toEqual([
      { first_index: 0, count: 4 },
      { first_index: 4, count: 246 },
      { first_index: 250, count: 6 },
      { first_index: 256, count: 256 },
      { first_index: 512, count: 8 },
    ]);
    const reader = await loaded();
    expect(reader.size).toBe(520);
    expect(await reader.rootAt(520)).toEqual(await writer.rootAt(520));
    // Any range of entries, from inside one bundle to across several.
    const lines = await readLogEntries(t.ctx.db, C, 0, 600);
    expect(lines).toHaveLength(520);
    expect(await readLogEntries(t.ctx.db, C, 251, 258)).toEqual(lines.slice(251, 258));
    expect(await readLogEntries(t.ctx.db, C, 519, 519)).toEqual([]);
    expect(lines[300]).toBe(`place 297 1297 ${commitment(297).toString('base64')}\n`);
    // A place by its position, in memory; a pre-queue entry and a seed by their subjects.
    expect(reader.places.leafOf(297)).toBe(300);
    expect(await reader.entryAt(300)).toBe(lines[300]);
    expect(await findLogSubject(t.ctx.db, C, commitment(2).toString('base64'))).toEqual({ leafIndex: 2, line: lines[2] });
    expect(await findLogSubject(t.ctx.db, C, 'seed 1')).toMatchObject({ leafIndex: 0 });
    // Places carry no subject row: they are found by position.
    expect(await findLogSubject(t.ctx.db, C, commitment(297).toString('base64'))).toBeNull();
  });

  it('finds the first leaf of many subjects in one read, and nothing for a subject it does not hold', async () => {
    const found = await firstLeavesOf(t.ctx.db, C, [commitment(3).toString('base64'), 'seed 1', commitment(1).toString('base64'), 'no such subject', commitment(297).toString('base64')]);
    expect(found).toEqual(new Map([[commitment(3).toString('base64'), 3], ['seed 1', 0], [commitment(1).toString('base64'), 1]]));
    expect(await firstLeavesOf(t.ctx.db, 'another campaign', ['seed 1'])).toEqual(new Map());
  });

  it('finds pre-queue holders’ leaves in one statement for a crowd asking at once, then from memory', async () => {
    const openings = t.ctx.queueOpenings!;
    const crowd = 'crowd'; // a log of its own: the tests below count the bundled campaign's entries
    const holders = Array.from({ length: 40 }, (_, i) => `pk-crowd-${i}`);
    const log = await t.ctx.queueLogs.forCampaign(crowd)!;
    const first = log.size;
    // Half the crowd is logged; the other half's entries are not stored yet.
    await log.append(holders.slice(0, 20).map((personKey) => ({ entry: { kind: 'enter', round: 1, atMs: 9, commitment: openings.commitment(crowd, personKey) }, subject: openings.commitment(crowd, personKey).toString('base64') })));
    let statements = 0;
    const counted = t.ctx.db.withPlugin({ transformQuery: (args) => (statements++, args.node), transformResult: async (args) => args.result });
    const leaves = new PlaceLeafIndexes(counted, t.ctx.queueLogs, openings, t.clock);
    const asked = await Promise.all(holders.map((personKey) => leaves.of(crowd, personKey, null)));
    expect(asked).toEqual([...holders.slice(0, 20).map((_, i) => first + i), ...holders.slice(20).map(() => null)]);
    expect(statements).toBe(1);
    // Found ones are remembered; the others are asked again only after a second.
    await Promise.all(holders.map((personKey) => leaves.of(crowd, personKey, null)));
    expect(statements).toBe(1);
    t.clock.advance(1_001);
    await Promise.all(holders.map((personKey) => leaves.of(crowd, personKey, null)));
    expect(statements).toBe(2);
  });

  it('refuses a writer that read an older end of the log, even when the other append crossed a tile', async () => {
    const first = await loaded();
    const second = await loaded();
    await first.append(Array.from({ length: 300 }, (_, i) => place(1_000 + i)));
    await expect(second.append([place(2_000)])).rejects.toThrow();
    expect(second.size).toBe(520);
    const third = await loaded();
    expect(third.size).toBe(820);
    expect(await third.rootAt(820)).toEqual(await first.rootAt(820));
  });

  it('follows what the writer stored at most twice a second, callers during a read sharing it', async () => {
    const writer = await loaded();
    const follower = await loaded();
    await writer.append([place(4_000)]);
    t.clock.advance(500);
    const first = follower.follow();
    expect(follower.follow()).toBe(first);
    await first;
    expect(follower.size).toBe(writer.size);
    expect(follower.places.leafOf(4_000)).toBe(writer.size - 1);
    // Within the interval a follow reads nothing; after it, the next append arrives.
    await writer.append([place(4_001)]);
    await follower.follow();
    expect(follower.size).toBe(writer.size - 1);
    t.clock.advance(500);
    await follower.follow();
    expect(follower.size).toBe(writer.size);
  });

  it('undoes migration 0026 into one row per entry and does it again with the same tree and look-ups', async () => {
    const before = await loaded();
    const lines = await readLogEntries(t.ctx.db, C, 0, before.size);
    const migrator = new Migrator({ db: t.ctx.db, provider: { getMigrations: async () => MIGRATIONS } satisfies MigrationProvider });
    expect((await migrator.migrateTo('0025-one-dose-ledger')).error).toBeUndefined();
    const { rows } = await sql<{ leaf_index: number; entry: string; subject: string | null }>`
      SELECT leaf_index, entry, subject FROM queue_log_entries WHERE campaign_id = ${C} ORDER BY leaf_index`.execute(t.ctx.db);
    expect(rows.map((r) => r.entry)).toEqual(lines);
    expect(rows.map((r) => r.leaf_index)).toEqual(lines.map((_, i) => i));
    expect(rows[0]!.subject).toBe('seed 1');
    expect(rows[2]!.subject).toBe(commitment(2).toString('base64'));
    expect(rows[300]!.subject).toBe(commitment(297).toString('base64'));
    expect((await migrator.migrateToLatest()).error).toBeUndefined();
    // Back in bundles of the entry tiles.
    expect((await bundles()).map((b) => b.first_index)).toEqual([0, 256, 512, 768]);
    const after = await loaded();
    expect(after.size).toBe(before.size);
    expect(await after.rootAt(after.size)).toEqual(await before.rootAt(before.size));
    expect(after.places.leafOf(297)).toBe(300);
    expect(await findLogSubject(t.ctx.db, C, commitment(2).toString('base64'))).toEqual({ leafIndex: 2, line: lines[2] });
    expect(await findLogSubject(t.ctx.db, C, commitment(297).toString('base64'))).toBeNull();
    // The next append starts a bundle of its own at the end.
    await after.append([place(3_000)]);
    expect((await bundles()).at(-1)).toEqual({ first_index: before.size, count: 1 });
  });
});
