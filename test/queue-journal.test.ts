import { describe, expect, it } from 'vitest';
import { persistJournal } from '../src/modules/waiting-room/queue-journal.repository.ts';
import type { QueueCheckpoint } from '../src/modules/waiting-room/queue-journal.ts';
import { onPostgres, useTestApp } from './support/test-app.ts';

const t = useTestApp();

describe('the in-process waiting room journal', () => {
  it('deletes every released admission (one statement per batch) and keeps the others', async () => {
    const expiresAtMs = Date.parse('2026-08-10T03:00:00Z');
    const admissions = ['p1', 'p2', 'p3'].flatMap((personKey) => ['jA', 'jB'].map((campaignId) => ({ campaignId, personKey, admissionId: `${campaignId}-${personKey}`, expiresAtMs })));
    await persistJournal(t.ctx.db, { places: [], admissions, released: [], left: [], checkpoints: [] }, new Date());
    const released = [{ campaignId: 'jA', personKey: 'p1' }, { campaignId: 'jA', personKey: 'p3' }, { campaignId: 'jB', personKey: 'p2' }];
    await persistJournal(t.ctx.db, { places: [], admissions: [], released, left: [], checkpoints: [] }, new Date());
    const left = await t.ctx.db.selectFrom('queue_admissions').select(['campaign_id', 'person_key']).orderBy('campaign_id').orderBy('person_key').execute();
    expect(left).toEqual([
      { campaign_id: 'jA', person_key: 'p2' },
      { campaign_id: 'jB', person_key: 'p1' },
      { campaign_id: 'jB', person_key: 'p3' },
    ]);
  });

  it('keeps the latest of an admission journalled twice (an extension) and drops one released in the same drain', async () => {
    const at = Date.parse('2026-08-10T03:00:00Z');
    const first = { campaignId: 'jC', personKey: 'p1', admissionId: 'jC-p1', expiresAtMs: at };
    const other = { campaignId: 'jC', personKey: 'p2', admissionId: 'jC-p2', expiresAtMs: at };
    await persistJournal(t.ctx.db, { places: [], admissions: [first, other], released: [], left: [], checkpoints: [] }, new Date());
    const extended = { ...first, expiresAtMs: at + 600_000 };
    const gone = { campaignId: 'jC', personKey: 'p3', admissionId: 'jC-p3', expiresAtMs: at };
    await persistJournal(t.ctx.db, { places: [], admissions: [extended, gone], released: [{ campaignId: 'jC', personKey: 'p3' }], left: [], checkpoints: [] }, new Date());
    const rows = await t.ctx.db.selectFrom('queue_admissions').select(['person_key', 'admission_id', 'expires_at_ms']).where('campaign_id', '=', 'jC').orderBy('person_key').execute();
    expect(rows.map((r) => ({ ...r, expires_at_ms: Number(r.expires_at_ms) }))).toEqual([
      { person_key: 'p1', admission_id: 'jC-p1', expires_at_ms: at + 600_000 },
      { person_key: 'p2', admission_id: 'jC-p2', expires_at_ms: at },
    ]);
  });

  const counters = (issued: number, bases: number[] = []): QueueCheckpoint => ({
    servingUpTo: 0, carry: 0, lastTickMs: null, paused: false, pausedReason: null, closed: false, admitted: 0,
    rate: { mean: 0, variance: 0, samples: 0 }, targetRate: 1, issued, bases,
  });
  const place = (campaignId: string, i: number) => ({ campaignId, personKey: `p${i}`, position: i, draw: null, round: null });
  const placesOf = (campaignId: string) => t.ctx.db.selectFrom('queue_journalled_places').select((eb) => eb.fn.countAll<string>().as('n')).where('campaign_id', '=', campaignId).executeTakeFirstOrThrow();
  const issuedOf = async (campaignId: string) => ((await t.ctx.db.selectFrom('queue_checkpoints').select('state').where('campaign_id', '=', campaignId).executeTakeFirst())?.state as QueueCheckpoint | undefined)?.issued;

  it('writes every kind of row of a journal, and never lets an older checkpoint replace a newer one', async () => {
    const at = Date.parse('2026-08-10T03:00:00Z');
    const places = [place('jH', 1), place('jH', 2), { campaignId: 'jH', personKey: 'p3', position: null, draw: '12345', round: 1 }];
    await persistJournal(t.ctx.db, { places, admissions: [{ campaignId: 'jH', personKey: 'p1', admissionId: 'a1', expiresAtMs: at }], released: [], left: [], checkpoints: [{ campaignId: 'jH', state: counters(2, [0]) }] }, new Date());
    expect(Number((await placesOf('jH')).n)).toBe(3);
    expect(await issuedOf('jH')).toBe(2);
    // A node's snapshot taken before another node gave places (fewer issued, or fewer rounds) is dropped.
    await persistJournal(t.ctx.db, { places: [], admissions: [], released: [], left: [], checkpoints: [{ campaignId: 'jH', state: counters(1, [0, 5]) }] }, new Date());
    await persistJournal(t.ctx.db, { places: [], admissions: [], released: [], left: [], checkpoints: [{ campaignId: 'jH', state: counters(4, []) }] }, new Date());
    expect(await issuedOf('jH')).toBe(2);
    await persistJournal(t.ctx.db, { places: [], admissions: [], released: [{ campaignId: 'jH', personKey: 'p1' }], left: [], checkpoints: [{ campaignId: 'jH', state: counters(3, [0]) }] }, new Date());
    expect(await issuedOf('jH')).toBe(3);
    expect(await t.ctx.db.selectFrom('queue_admissions').select('person_key').where('campaign_id', '=', 'jH').execute()).toEqual([]);
  });

  it('writes the five kinds together in one write, or any one alone, and a write replayed changes nothing', async () => {
    const at = Date.parse('2026-08-10T03:00:00Z');
    const admission = (personKey: string) => ({ campaignId: 'jK', personKey, admissionId: `a-${personKey}`, expiresAtMs: at });
    await persistJournal(t.ctx.db, { places: [], admissions: [admission('p9')], released: [], left: [], checkpoints: [] }, new Date());
    const all = {
      places: [place('jK', 1), place('jK', 2), place('jK', 3)],
      admissions: [admission('p1')],
      released: [{ campaignId: 'jK', personKey: 'p9' }],
      left: [{ campaignId: 'jK', personKey: 'p3', position: 3, atMs: at }],
      checkpoints: [{ campaignId: 'jK', state: counters(3) }],
    };
    const rowsOf = async () => ({
      places: await t.ctx.db.selectFrom('queue_journalled_places').select(['person_key', 'position']).where('campaign_id', '=', 'jK').orderBy('position').execute(),
      admissions: await t.ctx.db.selectFrom('queue_admissions').select('person_key').where('campaign_id', '=', 'jK').execute(),
      abandoned: await t.ctx.db.selectFrom('queue_abandoned').select(['person_key', 'position']).where('campaign_id', '=', 'jK').execute(),
      issued: await issuedOf('jK'),
    });
    const expected = {
      places: [1, 2, 3].map((i) => ({ person_key: `p${i}`, position: i })),
      admissions: [{ person_key: 'p1' }],
      abandoned: [{ person_key: 'p3', position: 3 }],
      issued: 3,
    };
    await persistJournal(t.ctx.db, all, new Date());
    expect(await rowsOf()).toEqual(expected);
    // The same write again (a retry whose first commit was not acknowledged), then the places alone.
    await persistJournal(t.ctx.db, all, new Date());
    await persistJournal(t.ctx.db, { places: all.places, admissions: [], released: [], left: [], checkpoints: [] }, new Date());
    expect(await rowsOf()).toEqual(expected);
    await persistJournal(t.ctx.db, { places: [place('jK', 4)], admissions: [], released: [], left: [], checkpoints: [] }, new Date());
    expect((await rowsOf()).places.map((p) => p.position)).toEqual([1, 2, 3, 4]);
  });

  // A place with neither a position nor a draw breaks the table's CHECK: the database refuses it.
  const refusedPlace = (campaignId: string) => ({ campaignId, personKey: 'zz-refused', position: null, draw: null, round: null });

  it('writes a small journal all or nothing (one statement)', async () => {
    const journal = { places: [place('jI', 1), place('jI', 2), refusedPlace('jI')], admissions: [], released: [], left: [], checkpoints: [{ campaignId: 'jI', state: counters(2) }] };
    await expect(persistJournal(t.ctx.db, journal, new Date())).rejects.toThrow();
    expect(Number((await placesOf('jI')).n)).toBe(0);
    expect(await issuedOf('jI')).toBeUndefined();
  });

  it('writes a journal larger than one statement takes, in a transaction, all or nothing', async () => {
    const many = Array.from({ length: 10_001 }, (_, i) => place('jJ', i + 1));
    await expect(persistJournal(t.ctx.db, { places: [...many, refusedPlace('jJ')], admissions: [], released: [], left: [], checkpoints: [{ campaignId: 'jJ', state: counters(10_001) }] }, new Date())).rejects.toThrow();
    expect(Number((await placesOf('jJ')).n)).toBe(0);
    expect(await issuedOf('jJ')).toBeUndefined();
    await persistJournal(t.ctx.db, { places: many, admissions: [], released: [], left: [], checkpoints: [{ campaignId: 'jJ', state: counters(10_001) }] }, new Date());
    expect(Number((await placesOf('jJ')).n)).toBe(10_001);
    expect(await issuedOf('jJ')).toBe(10_001);
  });

  it.skipIf(!onPostgres)('writes two nodes’ journals at once without a deadlock, whatever order each holds its campaigns in', async () => {
    const state = (issued: number): QueueCheckpoint => ({
      servingUpTo: 0, carry: 0, lastTickMs: null, paused: false, pausedReason: null, closed: false, admitted: 0,
      rate: { mean: 0, variance: 0, samples: 0 }, targetRate: 1, issued,
    });
    const campaigns = ['jD', 'jE', 'jF', 'jG'];
    // Each round, one node holds the campaigns in one order and the other in the reverse order:
    // locking the checkpoints in those orders deadlocked (40P01) within a few rounds.
    for (let round = 1; round <= 30; round++) {
      const journal = (order: string[]) => ({ places: [], admissions: [], released: [], left: [], checkpoints: order.map((campaignId) => ({ campaignId, state: state(round) })) });
      await Promise.all([persistJournal(t.ctx.db, journal(campaigns), new Date()), persistJournal(t.ctx.db, journal([...campaigns].reverse()), new Date())]);
    }
    const rows = await t.ctx.db.selectFrom('queue_checkpoints').select(['campaign_id', 'state']).where('campaign_id', 'in', campaigns).orderBy('campaign_id').execute();
    expect(rows.map((r) => [r.campaign_id, (r.state as QueueCheckpoint).issued])).toEqual(campaigns.map((c) => [c, 30]));
  });
});
