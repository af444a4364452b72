import { sql } from 'kysely';
import type { Ctx } from '../../context.ts';
import { inTransaction } from '../../infra/db/transaction.ts';
import { buildTenDayRotation, type Campaign, rebuildClinicDays, seedCampaign } from '../campaigns/index.ts';
import { addDays, seoulDate, seoulInstant } from '../../lib/seoul-time.ts';
import { generateClinics, seedInstitutions } from '../institutions/index.ts';
import { createDemoAccounts, demoAccountsAllowed, type DemoAccount } from './demo-accounts.ts';

/** Half-hour slots a typical clinic vaccinates in: 09:00–12:00 and 14:00–17:00. */
export const CLINIC_MINUTES = [540, 570, 600, 630, 660, 690, 840, 870, 900, 930, 960, 990];

/** What the seed is doing, for a person watching the first start (`describeSeedProgress`). */
export type SeedProgress =
  | { stage: 'start'; clinics: number }
  | { stage: 'clinics'; done: number; total: number }
  | { stage: 'capacity'; campaignId: string; done: number; total: number }
  | { stage: 'shares'; campaignId: string }
  | { stage: 'accounts' };

/** One line a person can read: `seeding demo data: clinics 800/2000`. */
export function describeSeedProgress(progress: SeedProgress): string {
  switch (progress.stage) {
    case 'start':
      return `first start: seeding the demo data (${progress.clinics} clinics, two campaigns and their capacity), about half a minute, once`;
    case 'clinics':
      return `seeding demo data: clinics ${progress.done}/${progress.total}`;
    case 'capacity':
      return `seeding demo data: capacity of ${progress.campaignId}, days ${progress.done}/${progress.total}`;
    case 'shares':
      return `seeding demo data: each clinic-day's doses of ${progress.campaignId}, split across its windows`;
    case 'accounts':
      return 'seeding demo data: the demo staff accounts';
  }
}

/** Days of slots per statement: small enough to report progress every few seconds, large enough to stay set-based. */
const DAYS_PER_STATEMENT = 7;

/**
 * Fills every listed clinic's slots between two dates (Sundays closed) with 2–6 doses each, in
 * SQL so that a million slots take seconds (a week of them per statement, so `onProgress` hears
 * every few seconds), then rebuilds the clinic-day projection and shares, all in one transaction.
 */
export async function seedCapacity(ctx: Pick<Ctx, 'db'>, campaign: Campaign, fromDate: string, toDate: string, everyNth = 1, onProgress?: (progress: SeedProgress) => void): Promise<void> {
  const days = daysBetween(fromDate, toDate) + 1;
  await inTransaction(ctx.db, async (trx) => {
    // A bulk seed, not a request: lift the pool's 10 s per-statement guard for this transaction.
    await sql`SET LOCAL statement_timeout = 0`.execute(trx);
    for (let first = 0; first < days; first += DAYS_PER_STATEMENT) {
      const last = Math.min(first + DAYS_PER_STATEMENT, days) - 1;
      await sql`
        INSERT INTO capacity_slots (campaign_id, institution_id, date, minute, capacity)
        SELECT ${campaign.id}, i.id, d::date, m, 2 + abs(hashtext(i.id || d::date::text || m::text)) % 5
        FROM (SELECT id, row_number() OVER (ORDER BY id) AS n FROM institutions) i
        CROSS JOIN generate_series(${addDays(fromDate, first)}::date, ${addDays(fromDate, last)}::date, interval '1 day') AS d
        CROSS JOIN unnest(${sql.raw(`ARRAY[${CLINIC_MINUTES.join(',')}]`)}::smallint[]) AS m
        WHERE extract(isodow FROM d) < 7 AND i.n % ${everyNth}::int = 0
        ON CONFLICT DO NOTHING
      `.execute(trx);
      onProgress?.({ stage: 'capacity', campaignId: campaign.id, done: last + 1, total: days });
    }
    onProgress?.({ stage: 'shares', campaignId: campaign.id });
    await rebuildClinicDays(trx, campaign, 'all');
  });
}

function daysBetween(fromDate: string, toDate: string): number {
  return Math.round((Date.parse(`${toDate}T00:00:00Z`) - Date.parse(`${fromDate}T00:00:00Z`)) / 86_400_000);
}

/** The two demo campaigns, relative to the server's today in Seoul. */
function demoCampaigns(now: Date): Campaign[] {
  const today = seoulDate(now);
  const adultsBornBy = addDays(today, -18 * 365 - 5);
  const rotationStart = addDays(today, 1);
  const rotation = buildTenDayRotation({ firstDate: rotationStart, idPrefix: 'r' });
  return [
    {
      id: 'covid-2026',
      name: '코로나19 백신 사전예약 (만 18세 이상, 전체 예약 기간)',
      cohort: { bornFrom: '1900-01-01', bornTo: adultsBornBy },
      vaccine: { name: 'mRNA (화이자)', doses: 2, intervalDays: 21 },
      queueOpensAt: seoulInstant(addDays(today, -1), '19:00'),
      windows: [{ id: 'open', kind: 'open', opensAt: seoulInstant(addDays(today, -1), '20:00'), closesAt: seoulInstant(addDays(today, 28), '18:00'), birthDayDigits: null, bornFrom: null, bornTo: null }],
      proxyAllowed: true,
      admission: { mode: 'adaptive', ratePerSecond: 200, maxActive: 20_000 },
    },
    {
      id: 'flu-2026-rotation',
      name: '인플루엔자 사전예약 (만 18–49세, 10부제)',
      cohort: { bornFrom: addDays(today, -50 * 365 - 12), bornTo: adultsBornBy },
      vaccine: { name: '인플루엔자 4가', doses: 1, intervalDays: 0 },
      queueOpensAt: seoulInstant(rotationStart, '19:00'),
      windows: [
        ...rotation,
        { id: 'catchup', kind: 'catchup', opensAt: seoulInstant(addDays(rotationStart, 10), '20:00'), closesAt: seoulInstant(addDays(rotationStart, 12), '18:00'), birthDayDigits: null, bornFrom: null, bornTo: null },
        { id: 'open', kind: 'open', opensAt: seoulInstant(addDays(rotationStart, 12), '20:00'), closesAt: seoulInstant(addDays(rotationStart, 30), '18:00'), birthDayDigits: null, bornFrom: null, bornTo: null },
      ],
      proxyAllowed: false,
      admission: { mode: 'fixed', ratePerSecond: 100, maxActive: 10_000 },
    },
  ];
}

/** What the first start seeded: the staff accounts it made, with their initial passwords (none on PostgreSQL). */
export interface DemoSeed {
  accounts: DemoAccount[];
}

/** Clinics per insert, for progress: the insert itself takes a fraction of a second. */
const CLINICS_PER_BATCH = 500;

/**
 * On an empty database: ~2,000 clinics in all 17 sido, the demo campaigns and their capacity, and
 * — on the embedded database only — an operator and a clinic-staff account (`demo-accounts.ts`).
 * Null when the database already has a campaign. `onProgress` hears each step (about 30 s in all).
 */
export async function seedDemoIfEmpty(ctx: Pick<Ctx, 'campaigns' | 'clock' | 'config' | 'db'>, options: { clinicCount?: number; onProgress?: (progress: SeedProgress) => void } = {}): Promise<DemoSeed | null> {
  const { clinicCount = 2000, onProgress } = options;
  const existing = await ctx.db.selectFrom('campaigns').select('id').limit(1).executeTakeFirst();
  if (existing) return null;
  onProgress?.({ stage: 'start', clinics: clinicCount });
  const clinics = generateClinics(clinicCount);
  for (let done = 0; done < clinics.length; done += CLINICS_PER_BATCH) {
    await seedInstitutions(ctx, clinics.slice(done, done + CLINICS_PER_BATCH));
    onProgress?.({ stage: 'clinics', done: Math.min(done + CLINICS_PER_BATCH, clinics.length), total: clinics.length });
  }
  const now = ctx.clock.now();
  const [covid, flu] = demoCampaigns(now);
  await inTransaction(ctx.db, async (trx) => {
    await seedCampaign(trx, covid!);
    await seedCampaign(trx, flu!);
  });
  const tomorrow = addDays(seoulDate(now), 1);
  // Dose 1 in the next four weeks, dose 2 three weeks after each.
  await seedCapacity(ctx, covid!, tomorrow, addDays(tomorrow, 27 + covid!.vaccine.intervalDays), 1, onProgress);
  // Flu shots: one clinic in three takes part, for the month after the rotation starts.
  await seedCapacity(ctx, flu!, addDays(tomorrow, 1), addDays(tomorrow, 30), 3, onProgress);
  ctx.campaigns.invalidate();
  if (!demoAccountsAllowed(ctx.config) || clinics.length === 0) return { accounts: [] };
  onProgress?.({ stage: 'accounts' });
  return { accounts: await createDemoAccounts(ctx, clinics[0]!.id) };
}
