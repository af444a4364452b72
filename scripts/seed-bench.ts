/**
 * Seeds bench-scale data: clinics, a two-dose campaign `bench` whose one open window covers now,
 * and half-hour capacity for every clinic over the following days (Sundays closed).
 *
 *   npm run seed:bench -- [--clinics 14000] [--days 49]
 *
 * Writes to DATABASE_URL when set, else to the embedded database under YEYAK_DATA_DIR (./data).
 * Rerunning is safe: when the campaign already exists nothing is written.
 * `bench/booking.ts` calls `seedBench` with fewer clinics on its own throwaway database.
 */
import { randomBytes } from 'node:crypto';
import { generateSignerKey } from '../src/lib/signed-note.ts';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { createContext } from '../src/bootstrap.ts';
import { ConfigError, loadConfig, type Config } from '../src/config.ts';
import type { Ctx } from '../src/context.ts';
import type { DB } from '../src/infra/db/schema.ts';
import { inTransaction } from '../src/infra/db/transaction.ts';
import type { Campaign } from '../src/modules/campaigns/campaign.ts';
import { CampaignCatalog } from '../src/modules/campaigns/campaign-catalog.ts';
import { campaignExists, insertCampaign } from '../src/modules/campaigns/campaigns.repository.ts';
import { addDays, seoulDate, seoulInstant } from '../src/lib/seoul-time.ts';
import { seedCapacity } from '../src/modules/demo/demo-seed.ts';
import { upsertInstitutions } from '../src/modules/institutions/institutions.repository.ts';
import { generateClinics } from '../src/modules/institutions/reference/demo-clinics.ts';
import { wholeNumberOption } from '../bench/lib/options.ts';

export const BENCH_CAMPAIGN_ID = 'bench';
export const BENCH_INTERVAL_DAYS = 21;
/** Dose 1 may fall on any of this many days from tomorrow; dose 2 follows after the interval. */
export const BENCH_BOOKING_DAYS = 28;
export const DEFAULT_CLINICS = 14_000;
export const DEFAULT_DAYS = BENCH_BOOKING_DAYS + BENCH_INTERVAL_DAYS;

export interface SeedBenchOptions {
  clinics: number;
  /** Days of capacity from tomorrow (Seoul), both ends included in the count. */
  days: number;
}

export interface SeedBenchResult {
  skipped: boolean;
  clinics: number;
  /** First and last date with capacity. */
  fromDate: string;
  toDate: string;
  slots: number;
  doses: number;
  ms: { institutions: number; campaign: number; capacity: number };
}

/** The bench campaign: everyone 18+ may book, two doses 21 days apart, open from yesterday. */
export function benchCampaign(now: Date, days: number): Campaign {
  const today = seoulDate(now);
  return {
    id: BENCH_CAMPAIGN_ID,
    name: 'Bench campaign (2 doses, 21 days apart)',
    cohort: { bornFrom: '1900-01-01', bornTo: addDays(today, -18 * 365 - 5) },
    vaccine: { name: 'mRNA (bench)', doses: 2, intervalDays: BENCH_INTERVAL_DAYS },
    queueOpensAt: seoulInstant(addDays(today, -1), '19:00'),
    windows: [
      {
        id: 'open',
        kind: 'open',
        opensAt: seoulInstant(addDays(today, -1), '20:00'),
        closesAt: seoulInstant(addDays(today, Math.max(1, days - BENCH_INTERVAL_DAYS)), '18:00'),
        birthDayDigits: null,
        bornFrom: null,
        bornTo: null,
      },
    ],
    proxyAllowed: false,
    admission: { mode: 'adaptive', ratePerSecond: 200, maxActive: 20_000 },
  };
}

async function countCapacity(ctx: Ctx): Promise<{ slots: number; doses: number; from: string | null; to: string | null }> {
  const { rows } = await sql<{ slots: number; doses: number | null; from: string | null; to: string | null }>`
    SELECT count(*)::int AS slots, sum(capacity)::bigint AS doses, min(date) AS "from", max(date) AS "to"
    FROM capacity_slots WHERE campaign_id = ${BENCH_CAMPAIGN_ID}
  `.execute(ctx.db);
  const row = rows[0];
  return { slots: row?.slots ?? 0, doses: Number(row?.doses ?? 0), from: row?.from ?? null, to: row?.to ?? null };
}

/**
 * The app's context (migrations applied) for a bulk seed. On PostgreSQL the app's pool cuts every
 * statement at 10 s — right for requests, too short for inserting millions of slots in one
 * statement — so the seed gets its own small pool without that limit.
 */
export async function openSeedContext(config: Readonly<Config>): Promise<{ ctx: Ctx; close(): Promise<void> }> {
  const ctx = await createContext(config);
  if (!config.databaseUrl) return { ctx, close: () => ctx.database.close() };
  const pool = new pg.Pool({ connectionString: config.databaseUrl, max: 2 });
  pool.on('error', (error) => console.error(`seed connection lost: ${error.message}`));
  const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool }) });
  return {
    ctx: { ...ctx, db, campaigns: new CampaignCatalog(db) },
    close: async () => {
      await db.destroy();
      await ctx.database.close();
    },
  };
}

/** Seeds clinics, the campaign and capacity unless the campaign exists already. */
export async function seedBench(ctx: Ctx, options: SeedBenchOptions): Promise<SeedBenchResult> {
  const ms = { institutions: 0, campaign: 0, capacity: 0 };
  if (await campaignExists(ctx.db, BENCH_CAMPAIGN_ID)) {
    const existing = await countCapacity(ctx);
    const clinics = await ctx.db.selectFrom('institutions').select(sql<number>`count(*)::int`.as('n')).executeTakeFirstOrThrow();
    return { skipped: true, clinics: clinics.n, fromDate: existing.from ?? '-', toDate: existing.to ?? '-', slots: existing.slots, doses: existing.doses, ms };
  }
  let t = performance.now();
  await upsertInstitutions(ctx.db, generateClinics(options.clinics));
  ms.institutions = Math.round(performance.now() - t);

  const now = ctx.clock.now();
  const campaign = benchCampaign(now, options.days);
  t = performance.now();
  await inTransaction(ctx.db, (trx) => insertCampaign(trx, campaign));
  ctx.campaigns.invalidate();
  ms.campaign = Math.round(performance.now() - t);

  // The first bookable date is tomorrow in Seoul (same-day doses are leftovers).
  const fromDate = addDays(seoulDate(now), 1);
  const toDate = addDays(fromDate, options.days - 1);
  t = performance.now();
  await seedCapacity(ctx, campaign, fromDate, toDate);
  ms.capacity = Math.round(performance.now() - t);

  const seeded = await countCapacity(ctx);
  return { skipped: false, clinics: options.clinics, fromDate, toDate, slots: seeded.slots, doses: seeded.doses, ms };
}

const n = (x: number) => x.toLocaleString('en-US');

function positiveInt(name: string, raw: string | undefined, fallback: number): number {
  return wholeNumberOption(name, raw, fallback, 1);
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { clinics: { type: 'string' }, days: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    strict: true,
  });
  if (values.help) {
    console.log(`usage: npm run seed:bench -- [--clinics ${DEFAULT_CLINICS}] [--days ${DEFAULT_DAYS}]`);
    return;
  }
  const options: SeedBenchOptions = {
    clinics: positiveInt('clinics', values.clinics, DEFAULT_CLINICS),
    days: positiveInt('days', values.days, DEFAULT_DAYS),
  };
  if (options.days <= BENCH_INTERVAL_DAYS) throw new Error(`--days must exceed the ${BENCH_INTERVAL_DAYS}-day dose interval, or no dose 1 has a dose 2`);

  const env = { ...process.env };
  // Seeding signs, hashes and encrypts nothing, but loadConfig insists on secrets with
  // DATABASE_URL: throwaway ones do for any that are not set.
  if (env.DATABASE_URL) {
    env.YEYAK_SIGNING_KEYS ||= `seed:${randomBytes(32).toString('base64')}`;
    env.YEYAK_PERSON_PEPPER ||= randomBytes(32).toString('base64');
    env.YEYAK_ENCRYPTION_KEYS ||= `seed:${randomBytes(32).toString('base64')}`;
    env.YEYAK_LOG_SIGNER_KEY ||= generateSignerKey('seed.yeyak/queue-log');
  }
  const config = loadConfig(env);
  const target = config.databaseUrl ? `PostgreSQL ${redactUrl(config.databaseUrl)}` : `embedded PGlite under ${config.dataDir}`;
  console.log(`seed:bench → ${target}`);
  const { ctx, close } = await openSeedContext(config);
  try {
    const r = await seedBench(ctx, options);
    if (r.skipped) {
      console.log(`campaign "${BENCH_CAMPAIGN_ID}" exists already: nothing written`);
      console.log(`  ${n(r.clinics)} clinics; ${n(r.slots)} slots holding ${n(r.doses)} doses from ${r.fromDate} to ${r.toDate}`);
    } else {
      console.log(`  ${n(r.clinics)} clinics upserted in ${n(r.ms.institutions)} ms`);
      console.log(`  campaign "${BENCH_CAMPAIGN_ID}": 2 doses, ${BENCH_INTERVAL_DAYS} days apart, open window covering now (${r.ms.campaign} ms)`);
      console.log(`  capacity ${r.fromDate} … ${r.toDate} (${options.days} days, Sundays closed): ${n(r.slots)} slots, ${n(r.doses)} doses in ${n(r.ms.capacity)} ms`);
    }
  } finally {
    await close();
  }
}

/** The URL without its password, for printing. */
export function redactUrl(raw: string): string {
  try {
    const url = new URL(raw);
    if (url.password) url.password = '***';
    return url.toString();
  } catch {
    return '(unparsable URL)';
  }
}

const invokedDirectly = process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (invokedDirectly) {
  main().catch((error: unknown) => {
    console.error(error instanceof ConfigError ? `configuration error: ${error.message}` : error);
    process.exit(1);
  });
}
