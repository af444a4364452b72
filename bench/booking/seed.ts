/**
 * Seeds bench:booking's Yeyak database (scripts/seed-bench.ts) and reads back what the timed run needs.
 */
import { sql } from 'kysely';
import { loadConfig } from '../../src/config.ts';
import { addDays, seoulDate, timeFromMinutes } from '../../src/lib/seoul-time.ts';
import { CLINIC_MINUTES } from '../../src/modules/demo/demo-seed.ts';
import { BENCH_CAMPAIGN_ID, BENCH_INTERVAL_DAYS, DEFAULT_DAYS, openSeedContext, seedBench } from '../../scripts/seed-bench.ts';
import { ADMISSION, type Options } from './config.ts';

export interface Seeded {
  clinics: string[];
  dates: string[];
  times: string[];
  dose1Capacity: number;
  seedMs: { institutions: number; campaign: number; capacity: number };
  slots: number;
  fromDate: string;
  toDate: string;
}

export async function seed(yeyakUrl: string, appEnv: NodeJS.ProcessEnv, options: Options): Promise<Seeded> {
  const { ctx, close } = await openSeedContext(loadConfig({ ...appEnv, DATABASE_URL: yeyakUrl }));
  try {
    const r = await seedBench(ctx, { clinics: options.clinics, days: DEFAULT_DAYS });
    // The seed's campaign keeps the production default (adaptive, 200/s); the bench admits at once.
    await ctx.db.updateTable('campaigns').set({ admission: JSON.stringify(ADMISSION) }).where('id', '=', BENCH_CAMPAIGN_ID).execute();
    ctx.campaigns.invalidate();
    const clinics = (await ctx.db.selectFrom('institutions').select('id').orderBy('id').execute()).map((row) => row.id);
    const tomorrow = addDays(seoulDate(ctx.clock.now()), 1);
    // Dose-1 dates whose dose 2 (21 days later, same weekday) has capacity too.
    const { rows } = await sql<{ date: string; doses: number }>`
      SELECT a.date, sum(a.capacity)::bigint AS doses FROM clinic_days a
      WHERE a.campaign_id = ${BENCH_CAMPAIGN_ID} AND a.date >= ${tomorrow}::date
        AND EXISTS (SELECT 1 FROM clinic_days b WHERE b.campaign_id = a.campaign_id AND b.institution_id = a.institution_id
                    AND b.date = a.date + ${BENCH_INTERVAL_DAYS}::int)
      GROUP BY a.date ORDER BY a.date
    `.execute(ctx.db);
    return {
      clinics,
      dates: rows.map((row) => row.date),
      times: CLINIC_MINUTES.map(timeFromMinutes),
      dose1Capacity: rows.reduce((sum, row) => sum + Number(row.doses), 0),
      seedMs: r.ms,
      slots: r.slots,
      fromDate: r.fromDate,
      toDate: r.toDate,
    };
  } finally {
    await close();
  }
}

/** WAL between two marks, or null when either could not be read (a failed query is no reason to fail the bench). */
