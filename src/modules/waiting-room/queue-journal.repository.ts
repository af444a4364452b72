import { sql } from 'kysely';
import type { Db } from '../../infra/db/database.ts';
import type { MemoryQueueStore, QueueCheckpoint, QueueJournal } from './memory-queue-store.ts';

const BATCH = 1000;

/** Writes a drained journal in one transaction: places once, admissions upserted, counters upserted. */
export async function persistJournal(db: Db, journal: QueueJournal, now: Date): Promise<void> {
  if (!journal.places.length && !journal.admissions.length && !journal.released.length && !journal.checkpoints.length) return;
  await db.transaction().execute(async (trx) => {
    for (let i = 0; i < journal.places.length; i += BATCH) {
      const rows = journal.places.slice(i, i + BATCH).map((p) => ({ campaign_id: p.campaignId, person_key: p.personKey, position: p.position, draw: p.draw }));
      await trx.insertInto('queue_places').values(rows).onConflict((oc) => oc.columns(['campaign_id', 'person_key']).doNothing()).execute();
    }
    // The latest state of each admission wins (an extension follows its issue in the journal).
    const admissions = new Map(journal.admissions.map((a) => [`${a.campaignId}|${a.personKey}`, a]));
    for (const r of journal.released) admissions.delete(`${r.campaignId}|${r.personKey}`);
    const latest = [...admissions.values()];
    for (let i = 0; i < latest.length; i += BATCH) {
      const rows = latest.slice(i, i + BATCH).map((a) => ({ campaign_id: a.campaignId, person_key: a.personKey, admission_id: a.admissionId, expires_at_ms: a.expiresAtMs }));
      await trx
        .insertInto('queue_admissions')
        .values(rows)
        .onConflict((oc) => oc.columns(['campaign_id', 'person_key']).doUpdateSet({ admission_id: sql`excluded.admission_id`, expires_at_ms: sql`excluded.expires_at_ms` }))
        .execute();
    }
    for (const r of journal.released) {
      await trx.deleteFrom('queue_admissions').where('campaign_id', '=', r.campaignId).where('person_key', '=', r.personKey).execute();
    }
    for (const c of journal.checkpoints) {
      await trx
        .insertInto('queue_checkpoints')
        .values({ campaign_id: c.campaignId, state: JSON.stringify(c.state), saved_at: now })
        .onConflict((oc) => oc.column('campaign_id').doUpdateSet({ state: sql`excluded.state`, saved_at: sql`excluded.saved_at` }))
        .execute();
    }
  });
}

/** Loads every journalled queue into the in-process store (at start, before serving). */
export async function restoreJournal(db: Db, store: MemoryQueueStore, nowMs: number): Promise<number> {
  const [places, admissions, checkpoints] = await Promise.all([
    db.selectFrom('queue_places').selectAll().execute(),
    db.selectFrom('queue_admissions').selectAll().where('expires_at_ms', '>', nowMs).execute(),
    db.selectFrom('queue_checkpoints').selectAll().execute(),
  ]);
  const campaigns = new Set([...places.map((p) => p.campaign_id), ...checkpoints.map((c) => c.campaign_id)]);
  for (const campaignId of campaigns) {
    const state = (checkpoints.find((c) => c.campaign_id === campaignId)?.state ?? null) as QueueCheckpoint | null;
    store.restore(
      campaignId,
      state,
      places.filter((p) => p.campaign_id === campaignId).map((p) => ({ personKey: p.person_key, position: p.position, draw: p.draw })),
      admissions.filter((a) => a.campaign_id === campaignId).map((a) => ({ personKey: a.person_key, admissionId: a.admission_id, expiresAtMs: Number(a.expires_at_ms) })),
    );
  }
  return places.length;
}
