import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config.ts';
import { completeJobs, failJob, fanOutEvents } from '../src/modules/outbox/outbox-jobs.repository.ts';
import { enqueueDerivedJobs } from '../src/modules/outbox/outbox-producers.ts';
import { OutboxPruner, type PruneLog } from '../src/modules/outbox/outbox-pruner.ts';
import { useTestApp } from './support/test-app.ts';

const HOUR = 3_600_000;

/**
 * The retention pruner on the real store (PGlite, or PostgreSQL with DATABASE_URL): which finished
 * outbox jobs go, which stay, batching, the metric and the log; and the events an earlier release
 * left marked processed. Rows are aged with the ManualClock: the default retention is 72 hours.
 */
describe('outbox retention pruner', () => {
  const t = useTestApp();
  const logged: { fields: Record<string, unknown>; message: string }[] = [];
  const log: PruneLog = { info: (fields, message) => logged.push({ fields, message }), error: (fields, message) => logged.push({ fields, message }) };

  /** Writes `topic` events (booking.created fans out to registry and messages) and fans them out now. */
  async function events(count: number, topic = 'booking.created'): Promise<number[]> {
    const rows = await t.ctx.db
      .insertInto('outbox')
      .values(Array.from({ length: count }, (_, i) => ({ topic, aggregate_id: `agg-${topic}-${i}-${Math.random()}`, payload: '{}', created_at: t.clock.now() })))
      .returning('id')
      .execute();
    await fanOutEvents(t.ctx.db, t.clock.now(), 10_000);
    return rows.map((r) => r.id);
  }

  async function jobOf(consumer: 'registry' | 'messages', eventId: number): Promise<number> {
    const row = await t.ctx.db.selectFrom('outbox_jobs').select('id').where('idempotency_key', '=', `${consumer}:${eventId}`).executeTakeFirstOrThrow();
    return row.id;
  }

  const done = async (consumer: 'registry' | 'messages', eventId: number) => completeJobs(t.ctx.db, [await jobOf(consumer, eventId)], t.clock.now());
  const eventsLeft = async (ids: number[]) => (await t.ctx.db.selectFrom('outbox').select('id').where('id', 'in', ids).orderBy('id').execute()).map((r) => r.id);
  const jobsLeft = async (ids: number[]) => (await t.ctx.db.selectFrom('outbox_jobs').select('idempotency_key').where('outbox_id', 'in', ids).orderBy('idempotency_key').execute()).map((r) => r.idempotency_key);
  const pruned = async (table: string) => (await t.ctx.metrics.outboxPruned.get()).values.find((v) => v.labels.table === table)?.value ?? 0;

  it('deletes old done jobs; keeps young, dead and pending ones', async () => {
    const pruner = new OutboxPruner(t.ctx, { log });
    const [allDone, onePending, oneDead, young, doneLate] = await events(5);
    await done('registry', allDone!);
    await done('messages', allDone!);
    await done('registry', onePending!);
    await done('registry', oneDead!);
    await failJob(t.ctx.db, await jobOf('messages', oneDead!), { dead: true }, 'HTTP 400');
    await done('messages', doneLate!);
    await enqueueDerivedJobs(t.ctx.db, [{ consumer: 'messages', idempotencyKey: 'reminder:test-1', topic: 'booking.reminder', aggregateId: 'b-1', payload: {} }], t.clock.now());
    const reminder = await t.ctx.db.selectFrom('outbox_jobs').select('id').where('idempotency_key', '=', 'reminder:test-1').executeTakeFirstOrThrow();
    await completeJobs(t.ctx.db, [reminder.id], t.clock.now());

    t.clock.advance(71 * HOUR);
    await done('registry', young!);
    await done('messages', young!);
    await done('registry', doneLate!);
    const all = [allDone!, onePending!, oneDead!, young!, doneLate!];

    // At 71 h nothing is old enough.
    expect(await pruner.runOnce()).toEqual({ jobs: 0, events: 0, batches: 1 });

    t.clock.advance(2 * HOUR);
    expect(await pruner.runOnce()).toEqual({ jobs: 6, events: 0, batches: 1 });
    expect(await jobsLeft(all)).toEqual([`messages:${oneDead}`, `messages:${onePending}`, `messages:${young}`, `registry:${doneLate}`, `registry:${young}`].sort());
    expect(await t.ctx.db.selectFrom('outbox_jobs').select('id').where('id', '=', reminder.id).execute()).toEqual([]);
    expect(await pruned('outbox_jobs')).toBe(6);
    // The log carries counts and nothing else.
    expect(logged.at(-1)).toEqual({ message: 'outbox pruned', fields: { jobs: 6, events: 0, batches: 1 } });

    // 72 h after the late completions, the young work goes too; dead and pending work never does.
    t.clock.advance(72 * HOUR);
    expect(await pruner.runOnce()).toMatchObject({ jobs: 3 });
    expect(await jobsLeft(all)).toEqual([`messages:${oneDead}`, `messages:${onePending}`].sort());
    expect(await pruned('outbox_jobs')).toBe(9);

    // A replayed dead job, once delivered and old, goes too.
    await t.ctx.db.updateTable('outbox_jobs').set({ status: 'pending' }).where('idempotency_key', '=', `messages:${oneDead}`).execute();
    await done('messages', oneDead!);
    t.clock.advance(73 * HOUR);
    expect(await pruner.runOnce()).toMatchObject({ jobs: 1 });
    expect(await jobsLeft(all)).toEqual([`messages:${onePending}`]);
  });

  it('fans an event out and deletes it in one statement; an event not fanned out stays', async () => {
    const [routed] = await events(1);
    expect(await eventsLeft([routed!])).toEqual([]);
    expect(await jobsLeft([routed!])).toEqual([`messages:${routed}`, `registry:${routed}`]);
    const [waiting] = (await t.ctx.db.insertInto('outbox').values({ topic: 'booking.created', aggregate_id: 'waiting', payload: '{}', created_at: t.clock.now() }).returning('id').execute()).map((r) => r.id);
    t.clock.advance(73 * HOUR);
    await new OutboxPruner(t.ctx, { log }).runOnce();
    expect(await eventsLeft([waiting!])).toEqual([waiting]);
    await fanOutEvents(t.ctx.db, t.clock.now(), 10);
  });

  it('deletes the events a node of the release before migration 0033 marked processed instead of deleting', async () => {
    const pruner = new OutboxPruner(t.ctx, { batchSize: 2, log });
    const before = await pruned('outbox');
    const marked = (
      await t.ctx.db
        .insertInto('outbox')
        .values([1, 2, 3].map((i) => ({ topic: 'booking.created', aggregate_id: `earlier-${i}`, payload: '{}', created_at: t.clock.now(), processed_at: t.clock.now() })))
        .returning('id')
        .execute()
    ).map((r) => r.id);
    const [waiting] = (await t.ctx.db.insertInto('outbox').values({ topic: 'booking.created', aggregate_id: 'not-yet', payload: '{}', created_at: t.clock.now() }).returning('id').execute()).map((r) => r.id);
    // Three in batches of two; at once, since their jobs carry their payloads.
    expect(await pruner.runOnce()).toMatchObject({ events: 3 });
    expect(await eventsLeft([...marked, waiting!])).toEqual([waiting]);
    expect(await pruned('outbox')).toBe(before + 3);
    await fanOutEvents(t.ctx.db, t.clock.now(), 10);
  });

  it('loops over batches until no old done job is left', async () => {
    const pruner = new OutboxPruner(t.ctx, { batchSize: 3, log });
    const ids = await events(10);
    for (const id of ids) {
      await done('registry', id);
      await done('messages', id);
    }
    t.clock.advance(73 * HOUR);
    const before = await pruned('outbox_jobs');
    // 20 jobs in batches of 3: six full batches, then a short one ends the run.
    expect(await pruner.runOnce()).toEqual({ jobs: 20, events: 0, batches: 7 });
    expect(await jobsLeft(ids)).toEqual([]);
    expect(await pruned('outbox_jobs')).toBe(before + 20);
    expect(await pruner.runOnce()).toEqual({ jobs: 0, events: 0, batches: 1 });
  });

  it('runs at once when started, and stops', async () => {
    const ids = await events(2);
    for (const id of ids) {
      await done('registry', id);
      await done('messages', id);
    }
    t.clock.advance(73 * HOUR);
    const pruner = new OutboxPruner(t.ctx, { log, intervalMs: 60_000 });
    pruner.start();
    await pruner.stop();
    expect(await jobsLeft(ids)).toEqual([]);
  });

  it('exports the counter on /metrics', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/metrics' });
    expect(res.body).toMatch(/yeyak_outbox_pruned_rows_total\{table="outbox_jobs"\} [1-9]/);
    expect(res.body).toMatch(/yeyak_outbox_pruned_rows_total\{table="outbox"\} [1-9]/);
  });
});

describe('outbox retention configuration', () => {
  const secrets = {
    YEYAK_SIGNING_KEYS: `k1:${randomBytes(32).toString('base64')}`,
    YEYAK_PERSON_PEPPER: randomBytes(32).toString('base64'),
    YEYAK_ENCRYPTION_KEYS: `e1:${randomBytes(32).toString('base64')}`,
  };

  it('keeps 72 hours and looks every 10 minutes by default', () => {
    expect(loadConfig(secrets).outbox).toEqual({ retentionHours: 72, pruneIntervalSeconds: 600 });
    expect(loadConfig({ ...secrets, YEYAK_OUTBOX_RETENTION_HOURS: '168', YEYAK_OUTBOX_PRUNE_INTERVAL_SECONDS: '60' }).outbox).toEqual({ retentionHours: 168, pruneIntervalSeconds: 60 });
  });

  it.each([
    ['YEYAK_OUTBOX_RETENTION_HOURS', '0'],
    ['YEYAK_OUTBOX_RETENTION_HOURS', '23'],
    ['YEYAK_OUTBOX_RETENTION_HOURS', '2h'],
    ['YEYAK_OUTBOX_RETENTION_HOURS', '9000'],
    ['YEYAK_OUTBOX_PRUNE_INTERVAL_SECONDS', '1'],
  ])('refuses %s=%s', (name, value) => {
    expect(() => loadConfig({ ...secrets, [name]: value })).toThrow(ConfigError);
    expect(() => loadConfig({ ...secrets, [name]: value })).toThrow(name);
  });
});
