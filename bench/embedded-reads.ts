/**
 * The heaviest reads of the embedded default on the demo data (2,000 clinics, `covid-2026`), before
 * and after issue 17, in one run: every page of 100 clinics (the unfiltered list a citizen pages
 * through), the first 100 clinics of every province, and the campaign's remaining doses — with the
 * event-loop delay while they run.
 *
 * - before: PGlite on the main thread, as it ran until now, on a copy of the same store with its
 *   planner statistics wiped (`pg_statistic`, `pg_class.reltuples`): no embedded store had any.
 * - after: `openDatabase` — PGlite in its worker thread, which keeps statistics current.
 *
 * Each read is one call of the repository function its route calls, with the route's parameters;
 * the loop turns between calls (`setImmediate`), as a server's does between requests.
 *
 *   npm run bench:embedded-reads                          # seeds the demo in a temporary directory first (about a minute)
 *   npm run bench:embedded-reads -- --data-dir ./data     # a store the demo already seeded (copied; never changed)
 *   npm run bench:embedded-reads -- --rounds 3 --baseline-rounds 1
 */
import { cpSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { PGlite, types } from '@electric-sql/pglite';
import { Kysely, PGliteDialect } from 'kysely';
import { createContext } from '../src/bootstrap.ts';
import { loadConfig } from '../src/config.ts';
import { openDatabase, type Db } from '../src/infra/db/database.ts';
import type { DB } from '../src/infra/db/schema.ts';
import { DEFAULT_HORIZON_DAYS, firstBookableDate, remainingFor } from '../src/modules/availability/availability.service.ts';
import { institutionPage, type InstitutionPageQuery } from '../src/modules/availability/availability.repository.ts';
import { CampaignCatalog } from '../src/modules/campaigns/campaign-catalog.ts';
import { addDays } from '../src/lib/seoul-time.ts';
import { campaignDoses } from '../src/modules/capacity/campaign-doses.repository.ts';
import { seedDemoIfEmpty } from '../src/modules/demo/demo-seed.ts';
import { appEnvironment } from './lib/app-env.ts';

const { values: args } = parseArgs({ options: { 'data-dir': { type: 'string' }, rounds: { type: 'string', default: '3' }, 'baseline-rounds': { type: 'string', default: '1' } } });
const CAMPAIGN = 'covid-2026';
const PAGE = 100;

/** Latencies (ms) of each kind of read, and the event-loop delay (ms) while they ran. */
interface Run {
  page: number[];
  province: number[];
  doses: number[];
  loopP99: number;
  loopMax: number;
}

async function measure(db: Db, rounds: number): Promise<Run> {
  const now = new Date();
  const campaign = await new CampaignCatalog(db).get(CAMPAIGN);
  const fromDate = firstBookableDate(now);
  const base: InstitutionPageQuery = { ...remainingFor(campaign, '1970-05-15', now), fromDate, limit: PAGE, datesFrom: fromDate, datesTo: addDays(fromDate, DEFAULT_HORIZON_DAYS - 1) };
  const provinces = (await db.selectFrom('institutions').select('sido').distinct().orderBy('sido').execute()).map((r) => r.sido);
  const run: Run = { page: [], province: [], doses: [], loopP99: 0, loopMax: 0 };
  const timed = async <T>(into: number[], read: () => Promise<T>): Promise<T> => {
    // A server's loop turns between two requests; a read that never yields shows as one stall.
    await new Promise((r) => setImmediate(r));
    const startedAt = performance.now();
    const answer = await read();
    into.push(performance.now() - startedAt);
    return answer;
  };
  await institutionPage(db, base); // plans and caches warmed, as on a server that has served before
  const delay = monitorEventLoopDelay({ resolution: 1 });
  delay.enable();
  await new Promise((r) => setTimeout(r, 5)); // the sampler's first tick only starts its clock
  for (let round = 0; round < rounds; round++) {
    let after: unknown[] | undefined;
    for (;;) {
      const rows = await timed(run.page, () => institutionPage(db, { ...base, after }));
      const last = rows.at(-1);
      if (rows.length < PAGE || !last) break;
      after = [last.sido, last.sigungu, last.name, last.id];
    }
    for (const sido of provinces) await timed(run.province, () => institutionPage(db, { ...base, sido }));
    for (let i = 0; i < 20; i++) await timed(run.doses, () => campaignDoses(db, CAMPAIGN, fromDate));
  }
  await new Promise((r) => setTimeout(r, 5));
  delay.disable();
  return { ...run, loopP99: delay.percentile(99) / 1e6, loopMax: delay.max / 1e6 };
}

function quantile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? NaN;
}

/** Seeds the demo through the real first start (`createContext`, `seedDemoIfEmpty`) under `dataDir`. */
async function seedDemo(dataDir: string): Promise<void> {
  const startedAt = performance.now();
  const ctx = await createContext(loadConfig(appEnvironment(dataDir, { YEYAK_DEMO: '1' })));
  await seedDemoIfEmpty(ctx);
  await ctx.database.close();
  console.log(`seeded the demo in ${((performance.now() - startedAt) / 1000).toFixed(0)} s`);
}

/** PGlite on the main thread with the type parsers it had, and no statistics, as before issue 17. */
async function openAsBefore(dir: string): Promise<{ db: Db; close: () => Promise<void> }> {
  const pglite = await PGlite.create(dir, { parsers: { [types.DATE]: (v: string) => v, [types.INT8]: (v: string) => Number(v) } });
  await pglite.exec(`DELETE FROM pg_statistic; UPDATE pg_class SET reltuples = -1, relpages = 0 WHERE relnamespace = 'public'::regnamespace AND relkind IN ('r', 'i')`);
  const db = new Kysely<DB>({ dialect: new PGliteDialect({ pglite }) });
  return { db, close: () => db.destroy() };
}

const work = mkdtempSync(join(tmpdir(), 'yeyak-embedded-reads-'));
try {
  const seeded = join(work, 'seeded');
  if (args['data-dir']) cpSync(join(resolve(args['data-dir']), 'pglite'), join(seeded, 'pglite'), { recursive: true });
  else {
    mkdirSync(seeded);
    await seedDemo(seeded);
  }
  cpSync(join(seeded, 'pglite'), join(work, 'before'), { recursive: true });

  const before = await openAsBefore(join(work, 'before'));
  const was = await measure(before.db, Number(args['baseline-rounds']));
  await before.close();

  const openedAt = performance.now();
  const after = await openDatabase({ databaseUrl: null, dataDir: join(seeded, 'pglite') });
  const openMs = performance.now() - openedAt;
  const now = await measure(after.db, Number(args.rounds));
  await after.close();

  const row = (label: string, a: number[], b: number[]) =>
    `| ${label} | ${a.length} | ${quantile(a, 0.5).toFixed(1)} / ${quantile(a, 0.95).toFixed(1)} | ${b.length} | ${quantile(b, 0.5).toFixed(1)} / ${quantile(b, 0.95).toFixed(1)} | ${(quantile(a, 0.95) / quantile(b, 0.95)).toFixed(1)}× |`;
  console.log(
    [
      '',
      `Embedded reads on the demo data (${CAMPAIGN}), ms p50 / p95; before: PGlite on the main thread, never analyzed; after: PGlite in its worker thread, analyzed (open + ANALYZE ${openMs.toFixed(0)} ms)`,
      '',
      '| read | calls | before | calls | after | p95 before ÷ after |',
      '|---|---|---|---|---|---|',
      row(`page of ${PAGE} clinics, every page`, was.page, now.page),
      row(`first ${PAGE} clinics of each province (?sido=)`, was.province, now.province),
      row('remaining doses of the campaign', was.doses, now.doses),
      `| event-loop delay p99 / max | | ${was.loopP99.toFixed(1)} / ${was.loopMax.toFixed(1)} | | ${now.loopP99.toFixed(1)} / ${now.loopMax.toFixed(1)} | |`,
      '',
      `targets: a page p95 ≤ 100 ms — ${quantile(now.page, 0.95) <= 100 ? 'met' : 'MISSED'}; event-loop delay p99 < 20 ms — ${now.loopP99 < 20 ? 'met' : 'MISSED'}`,
    ].join('\n'),
  );
} finally {
  rmSync(work, { recursive: true, force: true });
}
