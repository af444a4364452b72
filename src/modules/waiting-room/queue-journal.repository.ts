import { sql } from 'kysely';
import type { Db } from '../../infra/db/database.ts';
import type { MemoryQueueStore } from './memory-queue-store.ts';
import type { CampaignJournal, QueueCheckpoint, QueueJournal, QueueRecovery } from './queue-journal.ts';

/** Rows per statement, sent as arrays of this many elements each (a refresh at the opening journals thousands). */
const BATCH = 10_000;

/** Rows in one order on every node: (campaign, person). */
function byKey<T extends { campaignId: string; personKey?: string }>(rows: readonly T[]): T[] {
  const key = (r: T) => `${r.campaignId}\u0000${r.personKey ?? ''}`;
  return [...rows].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}

/**
 * Writes a drained journal in one transaction: places once, admissions upserted, counters
 * upserted. Every node writes its own journal, and they touch
 * shared rows (each campaign's checkpoint above all), so each kind of row is written in one order
 * on every node — by campaign, then person. Written in the order each node's journal happened to
 * hold them, two nodes' checkpoints of two campaigns took their row locks in opposite orders: a
 * deadlock, one write aborted after a second (SQLSTATE 40P01), and the refresh that had asked for
 * it answered 500 (CI, `test/multi-node.test.ts`, an operator's resume).
 */
export async function persistJournal(db: Db, unordered: QueueJournal, now: Date): Promise<void> {
  if (!unordered.places.length && !unordered.admissions.length && !unordered.released.length && !unordered.checkpoints.length) return;
  const journal: QueueJournal = {
    places: byKey(unordered.places),
    admissions: unordered.admissions,
    released: byKey(unordered.released),
    checkpoints: byKey(unordered.checkpoints),
  };
  await db.transaction().execute(async (trx) => {
    // Places as five arrays unnested into rows: five parameters per statement instead of five per
    // place, which cost the event loop (building and parsing thousands of them) more than the insert.
    for (let i = 0; i < journal.places.length; i += BATCH) {
      const places = journal.places.slice(i, i + BATCH);
      await sql`INSERT INTO queue_places (campaign_id, person_key, position, draw, round)
        SELECT * FROM unnest(${places.map((p) => p.campaignId)}::text[], ${places.map((p) => p.personKey)}::text[],
          ${places.map((p) => p.position)}::integer[], ${places.map((p) => p.draw)}::text[], ${places.map((p) => p.round)}::integer[])
        ON CONFLICT (campaign_id, person_key) DO NOTHING`.execute(trx);
    }
    // The latest state of each admission wins (an extension follows its issue in the journal).
    const admissions = new Map(journal.admissions.map((a) => [`${a.campaignId}|${a.personKey}`, a]));
    for (const r of journal.released) admissions.delete(`${r.campaignId}|${r.personKey}`);
    const latest = byKey([...admissions.values()]);
    for (let i = 0; i < latest.length; i += BATCH) {
      const rows = latest.slice(i, i + BATCH);
      await sql`INSERT INTO queue_admissions (campaign_id, person_key, admission_id, expires_at_ms)
        SELECT * FROM unnest(${rows.map((a) => a.campaignId)}::text[], ${rows.map((a) => a.personKey)}::text[],
          ${rows.map((a) => a.admissionId)}::text[], ${rows.map((a) => a.expiresAtMs)}::bigint[])
        ON CONFLICT (campaign_id, person_key) DO UPDATE SET admission_id = excluded.admission_id, expires_at_ms = excluded.expires_at_ms`.execute(trx);
    }
    // Every booking releases its admission: one statement per batch, not one per booking. The keys
    // come as two arrays joined to the primary key (a nested loop of index probes): a
    // `(campaign_id, person_key) IN (…)` list of a thousand pairs became a BitmapOr of a thousand
    // index scans, 155 ms to plan and 17 ms to run against 0.3 ms and 2.7 ms (docs/performance.md).
    for (let i = 0; i < journal.released.length; i += BATCH) {
      const released = journal.released.slice(i, i + BATCH);
      await sql`DELETE FROM queue_admissions a
        USING unnest(${released.map((r) => r.campaignId)}::text[], ${released.map((r) => r.personKey)}::text[]) AS r (campaign_id, person_key)
        WHERE a.campaign_id = r.campaign_id AND a.person_key = r.person_key`.execute(trx);
    }
    for (const c of journal.checkpoints) {
      await trx
        .insertInto('queue_checkpoints')
        .values({ campaign_id: c.campaignId, state: JSON.stringify(c.state), saved_at: now })
        .onConflict((oc) =>
          oc
            .column('campaign_id')
            .doUpdateSet({ state: sql`excluded.state`, saved_at: sql`excluded.saved_at` })
            // Nodes write their own snapshots: one taken before another node's opening or join must
            // not replace a later one (places issued and rounds opened only ever grow).
            .where(sql<boolean>`coalesce((excluded.state->>'issued')::bigint, 0) >= coalesce((queue_checkpoints.state->>'issued')::bigint, 0)
              AND coalesce(jsonb_array_length(excluded.state->'bases'), 0) >= coalesce(jsonb_array_length(queue_checkpoints.state->'bases'), 0)`),
        )
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
  const journals = new Map<string, CampaignJournal>();
  const journalOf = (campaignId: string) => {
    let journal = journals.get(campaignId);
    if (!journal) journals.set(campaignId, (journal = { state: null, places: [], admissions: [] }));
    return journal;
  };
  for (const c of checkpoints) journalOf(c.campaign_id).state = c.state as QueueCheckpoint;
  for (const p of places) journalOf(p.campaign_id).places.push({ personKey: p.person_key, position: p.position, draw: p.draw, round: p.round });
  // Admissions alone do not make a queue: one with no place or counters journalled is left out.
  for (const a of admissions) journals.get(a.campaign_id)?.admissions.push({ personKey: a.person_key, admissionId: a.admission_id, expiresAtMs: Number(a.expires_at_ms) });
  for (const [campaignId, journal] of journals) store.restore(campaignId, journal);
  return places.length;
}

/** Reads one campaign's journal back, for a shared store (Redis) that came back empty. */
export function queueRecoveryFrom(db: Db): QueueRecovery {
  return {
    async load(campaignId) {
      const [places, admissions, checkpoint] = await Promise.all([
        db.selectFrom('queue_places').select(['person_key', 'position', 'draw', 'round']).where('campaign_id', '=', campaignId).execute(),
        db.selectFrom('queue_admissions').select(['person_key', 'admission_id', 'expires_at_ms']).where('campaign_id', '=', campaignId).execute(),
        db.selectFrom('queue_checkpoints').select('state').where('campaign_id', '=', campaignId).executeTakeFirst(),
      ]);
      return {
        state: (checkpoint?.state ?? null) as QueueCheckpoint | null,
        places: places.map((p) => ({ personKey: p.person_key, position: p.position, draw: p.draw, round: p.round })),
        admissions: admissions.map((a) => ({ personKey: a.person_key, admissionId: a.admission_id, expiresAtMs: Number(a.expires_at_ms) })),
      };
    },
  };
}
