import type { Db } from '../../../infra/db/database.ts';
import type { Replay } from '../domain/order-of-service.ts';
import type { QueueOpenings } from '../queue-openings.ts';

/**
 * The operator's audit (docs/transparency.md "The auditor"): what the database granted, checked
 * against the log. Every booking of the campaign, and every admission it holds, must belong to a
 * holder with a place in the log that the log shows admitted. Needs the database and the secret
 * the openings derive from: only the operator (or an inspector they let in) can run it.
 */
export async function crossCheckAdmissions(db: Db, campaignId: string, openings: QueueOpenings, replay: Replay): Promise<string[]> {
  const [bookings, admissions] = await Promise.all([
    db.selectFrom('bookings').select(['person_key', 'created_at']).where('campaign_id', '=', campaignId).execute(),
    db.selectFrom('queue_admissions').select('person_key').where('campaign_id', '=', campaignId).execute(),
  ]);
  const violations: string[] = [];
  const check = (personKey: string, what: string) => {
    const position = replay.positions.get(openings.commitment(campaignId, personKey).toString('base64'));
    if (position === undefined) violations.push(`${what} of a holder with no place in the log`);
    else if (!replay.admitted.has(position)) violations.push(`${what} of place ${position}, never admitted in the log`);
  };
  for (const b of bookings) check(b.person_key, `a booking made ${new Date(b.created_at).toISOString()}`);
  for (const a of admissions) check(a.person_key, 'an admission the database holds');
  return violations;
}
