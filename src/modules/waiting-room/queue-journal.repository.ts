import { sql, type RawBuilder } from 'kysely';
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

/** Rows of each kind in one statement of a write. */
interface JournalRows {
  places: readonly QueueJournal['places'][number][];
  admissions: readonly QueueJournal['admissions'][number][];
  released: readonly QueueJournal['released'][number][];
  left: readonly QueueJournal['left'][number][];
  checkpoints: readonly QueueJournal['checkpoints'][number][];
}

const NO_ROWS: JournalRows = { places: [], admissions: [], released: [], left: [], checkpoints: [] };

/**
 * Writes a drained journal atomically: places once, admissions upserted (the latest state of each;
 * a released one deleted instead), counters upserted.
 *
 * A journal of a few thousand rows — every write but an opening's — is **one statement**, its
 * kinds in data-modifying CTEs: a join's answer waits for this write, and on the embedded database
 * each statement is a round trip to its thread (about 200 µs), so the four statements and the
 * transaction's two of before cost a new person's join more than the rows themselves. A larger
 * journal is written in a transaction, BATCH rows of one kind per statement.
 *
 * Every node writes its own journal, and they touch shared rows (each campaign's checkpoint above
 * all), so rows are locked in one order on every node — by kind (places, admissions, releases,
 * checkpoints), then by campaign and person. Written in the order each node's journal happened to
 * hold them, two nodes' checkpoints of two campaigns took their row locks in opposite orders: a
 * deadlock, one write aborted after a second (SQLSTATE 40P01), and the refresh that had asked for
 * it answered 500 (CI, `test/multi-node.test.ts`, an operator's resume).
 */
export async function persistJournal(db: Db, journal: QueueJournal, now: Date): Promise<void> {
  // The latest state of each admission wins (an extension follows its issue in the journal).
  const admissions = new Map(journal.admissions.map((a) => [`${a.campaignId}|${a.personKey}`, a]));
  for (const r of journal.released) admissions.delete(`${r.campaignId}|${r.personKey}`);
  const rows: JournalRows = {
    places: byKey(journal.places),
    admissions: byKey([...admissions.values()]),
    released: byKey(journal.released),
    left: byKey(journal.left),
    checkpoints: byKey(journal.checkpoints),
  };
  const counts = [rows.places.length, rows.admissions.length, rows.released.length, rows.left.length, rows.checkpoints.length];
  if (counts.every((n) => n === 0)) return;
  if (counts.every((n) => n <= BATCH)) return writeRows(db, rows, now);
  await db.transaction().execute(async (trx) => {
    for (const kind of ['places', 'admissions', 'released', 'left', 'checkpoints'] as const) {
      for (let i = 0; i < rows[kind].length; i += BATCH) await writeRows(trx, { ...NO_ROWS, [kind]: rows[kind].slice(i, i + BATCH) }, now);
    }
  });
}

/**
 * One statement: each kind's rows as arrays unnested into rows (a few parameters per statement,
 * not a few per row, which cost the event loop more than the insert). Only the kinds with rows are
 * in it: a crowd's joins write places alone, and on the embedded database a statement of all five
 * kinds cost about 1.1 ms to plan and run with one place against 0.4 ms for the places' insert
 * alone (docs/performance.md). The CTEs stay in the kinds' order, so rows are locked in that
 * order. Released admissions are joined to the primary key through two unnested arrays (a nested
 * loop of index probes): a `(campaign_id, person_key) IN (…)` list of a thousand pairs became a
 * BitmapOr of a thousand index scans, 155 ms to plan and 17 ms to run against 0.3 ms and 2.7 ms.
 */
async function writeRows(db: Db, rows: JournalRows, now: Date): Promise<void> {
  const parts = KINDS.filter((kind) => rows[kind].length > 0).map((kind) => ({ name: sql.raw(`written_${kind}`), statement: STATEMENTS[kind](rows, now) }));
  if (parts.length === 0) return;
  const ctes = sql.join(parts.map((p) => sql`${p.name} AS (${p.statement} RETURNING 1)`));
  await sql`WITH ${ctes} SELECT ${sql.join(parts.map((p) => sql`(SELECT count(*) FROM ${p.name})`))}`.execute(db);
}

const KINDS = ['places', 'left', 'admissions', 'released', 'checkpoints'] as const;

/** Each kind's data-modifying statement, without its `RETURNING`. */
const STATEMENTS: Record<(typeof KINDS)[number], (rows: JournalRows, now: Date) => RawBuilder<unknown>> = {
  places: ({ places }) => sql`INSERT INTO queue_place_writes (campaign_id, person_keys, positions, draws, rounds)
      VALUES ${sql.join(placeWrites(places).map((w) => sql`(${w.campaignId}, ${w.personKeys}::text[], ${w.positions}::integer[], ${w.draws}::text[], ${w.rounds}::integer[])`))}`,
  left: ({ left }) => sql`INSERT INTO queue_abandoned (campaign_id, position, person_key, left_at_ms)
      SELECT * FROM unnest(${left.map((l) => l.campaignId)}::text[], ${left.map((l) => l.position)}::integer[],
        ${left.map((l) => l.personKey)}::text[], ${left.map((l) => l.atMs)}::bigint[])
      ON CONFLICT (campaign_id, position) DO NOTHING`,
  admissions: ({ admissions }) => sql`INSERT INTO queue_admissions (campaign_id, person_key, admission_id, expires_at_ms)
      SELECT * FROM unnest(${admissions.map((a) => a.campaignId)}::text[], ${admissions.map((a) => a.personKey)}::text[],
        ${admissions.map((a) => a.admissionId)}::text[], ${admissions.map((a) => a.expiresAtMs)}::bigint[])
      ON CONFLICT (campaign_id, person_key) DO UPDATE SET admission_id = excluded.admission_id, expires_at_ms = excluded.expires_at_ms`,
  released: ({ released }) => sql`DELETE FROM queue_admissions a
      USING unnest(${released.map((r) => r.campaignId)}::text[], ${released.map((r) => r.personKey)}::text[]) AS r (campaign_id, person_key)
      WHERE a.campaign_id = r.campaign_id AND a.person_key = r.person_key`,
  checkpoints: ({ checkpoints }, now) => sql`INSERT INTO queue_checkpoints (campaign_id, state, saved_at)
      SELECT campaign_id, state::jsonb, ${now}::timestamptz
        FROM unnest(${checkpoints.map((c) => c.campaignId)}::text[], ${checkpoints.map((c) => JSON.stringify(c.state))}::text[]) AS c (campaign_id, state)
      ON CONFLICT (campaign_id) DO UPDATE SET state = excluded.state, saved_at = excluded.saved_at
        -- Each node writes its own snapshots: one taken before another node opened a round or gave
        -- a place must not replace a later one (places issued and rounds opened only ever grow).
        WHERE coalesce((excluded.state->>'issued')::bigint, 0) >= coalesce((queue_checkpoints.state->>'issued')::bigint, 0)
          AND coalesce(jsonb_array_length(excluded.state->'bases'), 0) >= coalesce(jsonb_array_length(queue_checkpoints.state->'bases'), 0)`,
};

/** Places in one row of `queue_place_writes` at most: about 5 kB of person keys, within the 8 kB a row keeps in its page. */
const PLACES_PER_ROW = 100;

/**
 * A write's places as rows of `queue_place_writes` (migration 0035): each campaign's places, in
 * the order given, as parallel arrays of at most PLACES_PER_ROW. One row a write, not a row and an
 * index entry a place: the embedded database's thread spent more on those than the join on its
 * cryptography.
 */
function placeWrites(places: JournalRows['places']) {
  const byCampaign = new Map<string, JournalRows['places'][number][]>();
  for (const place of places) {
    const list = byCampaign.get(place.campaignId);
    if (list) list.push(place);
    else byCampaign.set(place.campaignId, [place]);
  }
  return [...byCampaign].flatMap(([campaignId, list]) =>
    Array.from({ length: Math.ceil(list.length / PLACES_PER_ROW) }, (_, i) => {
      const chunk = list.slice(i * PLACES_PER_ROW, (i + 1) * PLACES_PER_ROW);
      return { campaignId, personKeys: chunk.map((p) => p.personKey), positions: chunk.map((p) => p.position), draws: chunk.map((p) => p.draw), rounds: chunk.map((p) => p.round) };
    }),
  );
}

/** Loads every journalled queue into the in-process store (at start, before serving). */
export async function restoreJournal(db: Db, store: MemoryQueueStore, nowMs: number): Promise<number> {
  const [places, admissions, checkpoints, abandoned] = await Promise.all([
    db.selectFrom('queue_journalled_places').selectAll().execute(),
    db.selectFrom('queue_admissions').selectAll().where('expires_at_ms', '>', nowMs).execute(),
    db.selectFrom('queue_checkpoints').selectAll().execute(),
    db.selectFrom('queue_abandoned').select(['campaign_id', 'position', 'person_key']).orderBy('left_at_ms').execute(),
  ]);
  const journals = new Map<string, CampaignJournal>();
  const journalOf = (campaignId: string) => {
    let journal = journals.get(campaignId);
    if (!journal) journals.set(campaignId, (journal = { state: null, places: [], admissions: [], abandoned: [] }));
    return journal;
  };
  for (const a of abandoned) journalOf(a.campaign_id).abandoned.push({ personKey: a.person_key, position: a.position });
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
      const [places, admissions, checkpoint, abandoned] = await Promise.all([
        db.selectFrom('queue_journalled_places').select(['person_key', 'position', 'draw', 'round']).where('campaign_id', '=', campaignId).execute(),
        db.selectFrom('queue_admissions').select(['person_key', 'admission_id', 'expires_at_ms']).where('campaign_id', '=', campaignId).execute(),
        db.selectFrom('queue_checkpoints').select('state').where('campaign_id', '=', campaignId).executeTakeFirst(),
        abandonedOf(db, campaignId),
      ]);
      return {
        state: (checkpoint?.state ?? null) as QueueCheckpoint | null,
        places: places.map((p) => ({ personKey: p.person_key, position: p.position, draw: p.draw, round: p.round })),
        admissions: admissions.map((a) => ({ personKey: a.person_key, admissionId: a.admission_id, expiresAtMs: Number(a.expires_at_ms) })),
        abandoned,
      };
    },
    async placesAfter(campaignId, position) {
      const rows = await db
        .selectFrom('queue_journalled_places')
        .select(['person_key', 'position'])
        .where('campaign_id', '=', campaignId)
        .where('position', '>', position)
        .orderBy('position')
        .execute();
      return rows.map((r) => ({ personKey: r.person_key, position: r.position! }));
    },
    async roundsFrom(campaignId, fromRound) {
      const [members, checkpoint] = await Promise.all([
        db
          .selectFrom('queue_journalled_places')
          .select(['person_key', 'round'])
          .where('campaign_id', '=', campaignId)
          .where('position', 'is', null)
          .where('round', '>=', fromRound)
          .execute(),
        db.selectFrom('queue_checkpoints').select('state').where('campaign_id', '=', campaignId).executeTakeFirst(),
      ]);
      const state = (checkpoint?.state ?? null) as QueueCheckpoint | null;
      return { members: members.map((m) => ({ personKey: m.person_key, round: m.round! })), bases: state?.bases ?? [] };
    },
    async admittedPersons(campaignId) {
      const rows = await db.selectFrom('queue_admissions').select('person_key').where('campaign_id', '=', campaignId).execute();
      return rows.map((r) => r.person_key);
    },
    async abandonedPositions(campaignId) {
      return (await abandonedOf(db, campaignId)).map((a) => a.position);
    },
  };
}

/** A campaign's places given up, in the order they were. */
async function abandonedOf(db: Db, campaignId: string): Promise<{ personKey: string; position: number }[]> {
  const rows = await db.selectFrom('queue_abandoned').select(['person_key', 'position']).where('campaign_id', '=', campaignId).orderBy('left_at_ms').orderBy('position').execute();
  return rows.map((r) => ({ personKey: r.person_key, position: r.position }));
}
