import { describe, expect, it } from 'vitest';
import { persistJournal, queueRecoveryFrom, restoreJournal } from '../src/modules/waiting-room/queue-journal.repository.ts';
import type { QueueJournal } from '../src/modules/waiting-room/queue-journal.ts';
import { MemoryQueueStore } from '../src/modules/waiting-room/memory-queue-store.ts';
import { useTestApp } from './support/test-app.ts';

/**
 * The journal keeps a write's places of one campaign as one row of arrays (migration 0035), and
 * its readers see them place by place through `queue_journalled_places`, with the earlier
 * release's `queue_places` rows beside them.
 */
const t = useTestApp();

const journalOf = (places: QueueJournal['places']): QueueJournal => ({ places, admissions: [], released: [], left: [], checkpoints: [] });
const firstCome = (campaignId: string, i: number) => ({ campaignId, personKey: `w${i}`, position: i, draw: null, round: null });

describe('the queue journal’s places, a row a write', () => {
  it('writes each campaign’s places of a write as rows of at most 100, and reads every place back in order', async () => {
    const places = [...Array.from({ length: 250 }, (_, i) => firstCome('pwA', i + 1)), ...Array.from({ length: 3 }, (_, i) => firstCome('pwB', i + 1))];
    await persistJournal(t.ctx.db, journalOf(places), new Date());
    const rows = await t.ctx.db.selectFrom('queue_place_writes').select(['campaign_id', 'person_keys']).where('campaign_id', 'in', ['pwA', 'pwB']).orderBy('campaign_id').orderBy('id').execute();
    expect(rows.map((r) => [r.campaign_id, r.person_keys.length])).toEqual([['pwA', 100], ['pwA', 100], ['pwA', 50], ['pwB', 3]]);

    const recovery = queueRecoveryFrom(t.ctx.db);
    expect((await recovery.placesAfter('pwA', 240)).map((p) => p.position)).toEqual([241, 242, 243, 244, 245, 246, 247, 248, 249, 250]);
    const loaded = await recovery.load('pwB');
    expect(loaded.places.sort((a, b) => a.position! - b.position!)).toEqual([1, 2, 3].map((i) => ({ personKey: `w${i}`, position: i, draw: null, round: null })));
    const store = new MemoryQueueStore();
    await restoreJournal(t.ctx.db, store, t.clock.now().getTime());
    expect(await store.positionOf('pwA', 'w250')).toBe(250);
    expect(await store.positionOf('pwB', 'w2')).toBe(2);
  });

  it('reads a place once when it was written twice, and the earlier release’s rows beside the writes', async () => {
    await t.ctx.db.insertInto('queue_places').values([{ campaign_id: 'pwC', person_key: 'old-1', position: 1, draw: null, round: null }, { campaign_id: 'pwC', person_key: 'w2', position: 2, draw: null, round: null }]).execute();
    const journal = journalOf([firstCome('pwC', 2), firstCome('pwC', 3), { campaignId: 'pwC', personKey: 'pre-1', position: null, draw: '987654321', round: 2 }]);
    await persistJournal(t.ctx.db, journal, new Date());
    await persistJournal(t.ctx.db, journal, new Date());
    const { places } = await queueRecoveryFrom(t.ctx.db).load('pwC');
    expect(places.sort((a, b) => a.personKey.localeCompare(b.personKey))).toEqual([
      { personKey: 'old-1', position: 1, draw: null, round: null },
      { personKey: 'pre-1', position: null, draw: '987654321', round: 2 },
      { personKey: 'w2', position: 2, draw: null, round: null },
      { personKey: 'w3', position: 3, draw: null, round: null },
    ]);
    expect((await queueRecoveryFrom(t.ctx.db).roundsFrom('pwC', 1)).members).toEqual([{ personKey: 'pre-1', round: 2 }]);
  });

  it('refuses, place by place, what queue_places’ checks refused: both a position and a draw, neither, a draw without its round, a round below 0', async () => {
    const refused = [
      { campaignId: 'pwD', personKey: 'both', position: 4, draw: '1', round: 0 },
      { campaignId: 'pwD', personKey: 'neither', position: null, draw: null, round: null },
      { campaignId: 'pwD', personKey: 'no-round', position: null, draw: '1', round: null },
      { campaignId: 'pwD', personKey: 'below', position: null, draw: '1', round: -1 },
      { campaignId: 'pwD', personKey: 'round-without-draw', position: 5, draw: null, round: 1 },
    ];
    for (const place of refused) {
      await expect(persistJournal(t.ctx.db, journalOf([firstCome('pwD', 1), place]), new Date()), place.personKey).rejects.toThrow(/queue_place_writes_each_place/);
    }
    expect(await t.ctx.db.selectFrom('queue_place_writes').select('id').where('campaign_id', '=', 'pwD').execute()).toEqual([]);
  });
});
