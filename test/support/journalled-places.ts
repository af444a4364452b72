import { sql } from 'kysely';
import type { Db } from '../../src/infra/db/database.ts';

/** A journalled place as the readers see it (`queue_journalled_places`). */
interface JournalledPlace {
  personKey: string;
  position: number | null;
}

/**
 * Loses journalled places of one campaign, as a database restored from an older backup would:
 * every row of `queue_place_writes` (migration 0035) is written again without the places `lost`
 * picks (a row left empty is deleted), and the earlier release's `queue_places` rows it picks go.
 */
export async function loseJournalledPlaces(db: Db, campaignId: string, lost: (place: JournalledPlace) => boolean): Promise<void> {
  const writes = await db.selectFrom('queue_place_writes').selectAll().where('campaign_id', '=', campaignId).execute();
  for (const w of writes) {
    const kept = w.person_keys.map((_, i) => i).filter((i) => !lost({ personKey: w.person_keys[i]!, position: w.positions[i] ?? null }));
    if (kept.length === w.person_keys.length) continue;
    if (kept.length === 0) {
      await db.deleteFrom('queue_place_writes').where('campaign_id', '=', campaignId).where('id', '=', w.id).execute();
      continue;
    }
    const pick = <T>(values: readonly T[]) => kept.map((i) => values[i] as T);
    await sql`UPDATE queue_place_writes SET person_keys = ${pick(w.person_keys)}::text[], positions = ${pick(w.positions)}::integer[],
        draws = ${pick(w.draws)}::text[], rounds = ${pick(w.rounds)}::integer[]
      WHERE campaign_id = ${campaignId} AND id = ${w.id}`.execute(db);
  }
  const old = await db.selectFrom('queue_places').select(['person_key', 'position']).where('campaign_id', '=', campaignId).execute();
  for (const p of old.filter((r) => lost({ personKey: r.person_key, position: r.position }))) {
    await db.deleteFrom('queue_places').where('campaign_id', '=', campaignId).where('person_key', '=', p.person_key).where(sql<boolean>`coalesce(position, 0) = ${p.position ?? 0}`).execute();
  }
}
