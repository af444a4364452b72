import { sql } from 'kysely';
import type { Ctx } from '../../context.ts';
import { inTransaction } from '../../infra/db/transaction.ts';
import { type Campaign, rebuildClinicDays, seedCampaign } from '../campaigns/index.ts';
import { addDays, seoulDate, seoulInstant } from '../../lib/seoul-time.ts';
import { seedInstitutions } from '../institutions/index.ts';
import { registerSyntheticPersons, type SyntheticIdentity } from '../probe/index.ts';
import { CLINIC_MINUTES } from './demo-seed.ts';

export const PROBE_CAMPAIGN_ID = 'probe';
const PROBE_CLINIC_ID = 'probe-clinic';
/** Days of probe capacity from tomorrow, and of the probe campaign's window. */
const PROBE_DAYS = 366;
/** Doses per half-hour slot: the probe books and cancels one at a time, so it never runs short. */
const PROBE_SLOT_DOSES = 100;

/**
 * The demo's synthetic persons: one for each birth-day digit of the 10-day rotation, on the edges
 * where date arithmetic breaks (the 31st, the 30th/29th, a leap day), so `GET /me` for each is a
 * canary of the eligibility rules (`npm run probe`).
 */
const DEMO_PROBE_IDENTITIES: readonly SyntheticIdentity[] = [
  { label: 'probe-0', birthDate: '1961-04-30' },
  { label: 'probe-1', birthDate: '1972-01-31' },
  { label: 'probe-2', birthDate: '1983-07-22' },
  { label: 'probe-3', birthDate: '1994-12-03' },
  { label: 'probe-4', birthDate: '1975-12-14' },
  { label: 'probe-5', birthDate: '1986-05-25' },
  { label: 'probe-6', birthDate: '1997-08-16' },
  { label: 'probe-7', birthDate: '1968-11-27' },
  { label: 'probe-8', birthDate: '1989-06-28' },
  { label: 'probe-9', birthDate: '1992-02-29' },
];

/** The probe's own campaign: synthetic, open to every birth date for a year, one dose. */
function probeCampaign(now: Date): Campaign {
  const today = seoulDate(now);
  const opensAt = seoulInstant(addDays(today, -1), '00:00');
  return {
    id: PROBE_CAMPAIGN_ID,
    name: '합성 프로브 (운영 점검용, 시민에게 보이지 않음)',
    cohort: { bornFrom: '1900-01-01', bornTo: today },
    vaccine: { name: 'probe', doses: 1, intervalDays: 0 },
    queueOpensAt: opensAt,
    windows: [{ id: 'open', kind: 'open', opensAt, closesAt: seoulInstant(addDays(today, PROBE_DAYS), '00:00'), birthDayDigits: null, bornFrom: null, bornTo: null }],
    proxyAllowed: false,
    admission: { mode: 'fixed', ratePerSecond: 20, maxActive: 100 },
    synthetic: true,
  };
}

/**
 * With a probe credential configured on the demo: the probe's campaign, its clinic (in Sejong,
 * never holding a citizen's dose), a year of its capacity and the synthetic persons, so that
 * `npm run probe` works with nothing else to set up. Once: nothing happens when the campaign exists.
 * Returns whether it seeded.
 */
export async function seedProbeIfMissing(ctx: Pick<Ctx, 'campaigns' | 'clock' | 'config' | 'db'>): Promise<boolean> {
  const existing = await ctx.db.selectFrom('campaigns').select('id').where('id', '=', PROBE_CAMPAIGN_ID).executeTakeFirst();
  if (existing) return false;
  const now = ctx.clock.now();
  const campaign = probeCampaign(now);
  await seedInstitutions(ctx, [
    { id: PROBE_CLINIC_ID, name: '합성 프로브 접종기관', address: '세종특별자치시 (운영 점검용)', sido: '세종특별자치시', sigungu: '세종시', lat: 36.48, lng: 127.29 },
  ]);
  const first = addDays(seoulDate(now), 1);
  await inTransaction(ctx.db, async (trx) => {
    await seedCampaign(trx, campaign);
    await sql`
      INSERT INTO capacity_slots (campaign_id, institution_id, date, minute, capacity)
      SELECT ${campaign.id}, ${PROBE_CLINIC_ID}, d::date, m, ${PROBE_SLOT_DOSES}::int
      FROM generate_series(${first}::date, ${addDays(first, PROBE_DAYS - 2)}::date, interval '1 day') AS d
      CROSS JOIN unnest(${sql.raw(`ARRAY[${CLINIC_MINUTES.join(',')}]`)}::smallint[]) AS m
      ON CONFLICT DO NOTHING`.execute(trx);
    await rebuildClinicDays(trx, campaign, 'all');
  });
  await registerSyntheticPersons(ctx, { id: 'demo-seed', role: 'system' }, [...DEMO_PROBE_IDENTITIES]);
  ctx.campaigns.invalidate();
  return true;
}
