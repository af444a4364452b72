/**
 * Booking throughput against pgbench, on the same PostgreSQL, in the same run (BRIEF §6: full
 * booking ≥ 80% of pgbench TPC-B-like TPS).
 *
 *   npm run bench:booking -- [--seconds 20] [--concurrency 48] [--apps 1] [--no-idempotency-keys]
 *                            [--clinics 2000] [--people N] [--db-pool N] [--warmup 2] [--no-pgbench-after]
 *                            [--profile] [--statements] [--database-cpus 0]
 *
 * Without DATABASE_URL it starts its own throwaway PostgreSQL 15 (the deployed settings) on
 * 127.0.0.1; with it, it uses that server and creates/drops the databases yeyak_bench and
 * pgbench_bench there. See bench/README.md for how to read the figures.
 *
 * This file runs the steps in order and writes the report; the parts are in bench/booking/:
 * `config.ts` (options, files, target), `pgbench-run.ts` (the baseline), `seed.ts` (the bench
 * data), `yeyak-run.ts` (the apps and the timed bookings) and `report.ts` (the tables and figures).
 */
import { randomBytes } from 'node:crypto';
import { generateSignerKey } from '../src/lib/signed-note.ts';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname } from 'node:path';
import { BENCH_CAMPAIGN_ID, DEFAULT_DAYS, redactUrl } from '../scripts/seed-bench.ts';
import { type CpuSplit, splitCpusWithDatabase } from './lib/cpu-affinity.ts';
import { cleanUp, installSignalHandlers, onCleanup } from './lib/processes.ts';
import { dropDatabase, recreateDatabase, runPgbench, serverInfo, startThrowawayCluster, withDatabase, type ThrowawayCluster } from './lib/postgres.ts';
import { cpuModel, fmt, revision } from './lib/report.ts';
import { writeSummary } from './lib/summary.ts';
import { PGBENCH_DB, REPO_ROOT, YEYAK_DB, log, parseOptions, resultsFile, summaryFile } from './booking/config.ts';
import { type PgbenchRun, pgbenchRun } from './booking/pgbench-run.ts';
import { render } from './booking/report.ts';
import { seed } from './booking/seed.ts';
import { yeyakRun } from './booking/yeyak-run.ts';

installSignalHandlers();

async function main(): Promise<number> {
  const options = parseOptions();
  const startedAt = new Date();
  log(`bench:booking — Node ${process.version}, ${cpus().length} × ${cpuModel()}`);

  // 1. The server: DATABASE_URL's, or our own throwaway cluster.
  let adminUrl: string;
  let serverSource: string;
  const external = process.env.DATABASE_URL;
  if (external) {
    adminUrl = external;
    serverSource = `DATABASE_URL ${redactUrl(external)}`;
    const own = new URL(external).pathname.slice(1);
    if (own === YEYAK_DB || own === PGBENCH_DB) throw new Error(`DATABASE_URL must not name ${own}: the bench drops that database`);
  } else {
    const started = performance.now();
    const cluster: ThrowawayCluster = await startThrowawayCluster(options.port);
    onCleanup('remove the throwaway cluster', () => cluster.destroy());
    adminUrl = cluster.adminUrl;
    serverSource = `throwaway cluster on 127.0.0.1:${cluster.port}, the server's defaults plus deploy/postgresql-settings.ts`;
    log(`throwaway PostgreSQL in ${cluster.dir}, port ${cluster.port} (${((performance.now() - started) / 1000).toFixed(1)} s to initdb and start)`);
  }
  const server = await serverInfo(adminUrl);
  // Before anything else starts, so that every backend, app and client inherits its side.
  let cpuSplit: CpuSplit | null = null;
  if (options.databaseCpus !== null) {
    const split = await splitCpusWithDatabase(adminUrl, options.databaseCpus);
    onCleanup('give the server every CPU again', () => split.restore());
    cpuSplit = split;
    log(`PostgreSQL (${split.serverProcesses} processes) pinned to CPU ${split.databaseCpus.join(',')}; this bench, its apps and pgbench to CPU ${split.otherCpus.join(',')}`);
  }
  log(`server: ${server.version}`);
  log(`  ${Object.entries(server.settings).map(([k, v]) => `${k}=${v}`).join(', ')}`);

  // On a server of its own the databases go with the cluster; on DATABASE_URL's they are dropped.
  await recreateDatabase(adminUrl, PGBENCH_DB);
  if (external) onCleanup(`drop ${PGBENCH_DB}`, () => dropDatabase(adminUrl, PGBENCH_DB));
  await recreateDatabase(adminUrl, YEYAK_DB);
  if (external) onCleanup(`drop ${YEYAK_DB}`, () => dropDatabase(adminUrl, YEYAK_DB));
  const pgbenchUrl = withDatabase(adminUrl, PGBENCH_DB);
  const yeyakUrl = withDatabase(adminUrl, YEYAK_DB);

  // 2. Baseline.
  log(`\npgbench -i -s ${options.scale}…`);
  let t = performance.now();
  await runPgbench(pgbenchUrl, ['-i', '-s', String(options.scale), '-q']);
  log(`  initialised in ${((performance.now() - t) / 1000).toFixed(1)} s`);
  log(`pgbench -c ${options.pgbenchClients} -j ${options.pgbenchThreads} -T ${options.seconds}…`);
  const pgbenchBefore = await pgbenchRun(adminUrl, pgbenchUrl, options, 'baseline');

  // 3. Yeyak: seed, start the app, verify people, book.
  const appEnv: NodeJS.ProcessEnv = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !k.startsWith('YEYAK_') && !['DATABASE_URL', 'REDIS_URL', 'PORT', 'HOST', 'LOG_LEVEL'].includes(k)),
  );
  Object.assign(appEnv, {
    YEYAK_SIGNING_KEYS: `bench${Date.now().toString(36)}:${randomBytes(32).toString('base64')}`,
    YEYAK_PERSON_PEPPER: randomBytes(32).toString('base64'),
    YEYAK_ENCRYPTION_KEYS: `bench${Date.now().toString(36)}:${randomBytes(32).toString('base64')}`,
    YEYAK_LOG_SIGNER_KEY: generateSignerKey('bench.yeyak/queue-log'),
    YEYAK_OPERATOR_KEY: randomBytes(24).toString('base64url'),
    YEYAK_DEV_IDENTITY: '1',
    // The bench stands where the balancer would: each person's address comes in X-Forwarded-For.
    YEYAK_TRUST_PROXY: '127.0.0.1',
    // Everyone is admitted before the timed run; with the longest admission TTL no admission gets
    // to its second half (and is extended on the booking path) however long that set-up takes.
    YEYAK_ADMISSION_TTL_SECONDS: '7200',
    YEYAK_DEMO: '0',
    // The booking route runs on the booking path's pool; the main pool serves the rest.
    ...(options.dbPool === null ? {} : { YEYAK_DB_POOL_SIZE: String(options.dbPool), YEYAK_DB_BOOKING_POOL_SIZE: String(options.dbPool) }),
  });
  log(`\nseeding ${YEYAK_DB}: ${fmt(options.clinics)} clinics, campaign "${BENCH_CAMPAIGN_ID}", ${DEFAULT_DAYS} days of capacity…`);
  t = performance.now();
  const seeded = await seed(yeyakUrl, appEnv, options);
  log(`  ${fmt(seeded.slots)} slots ${seeded.fromDate} … ${seeded.toDate} in ${((performance.now() - t) / 1000).toFixed(1)} s; ` +
    `dose 1 on ${seeded.dates.length} dates × ${seeded.times.length} times: ${fmt(seeded.dose1Capacity)} doses`);
  if (seeded.dates.length === 0) throw new Error('the seed left no bookable dose-1 date');

  // One person books once; size the crowd from the measured baseline with room to spare.
  // Enough for a ratio of 1.0; should the app ever go faster, the timed window ends early when they
  // run out and the rate is taken over the part that ran (the report says so).
  const people = options.people ?? Math.ceil(pgbenchBefore.result.tps * (options.seconds + options.warmup)) + 2000;
  if (people > seeded.dose1Capacity * 0.2) log(`  note: ${fmt(people)} people against ${fmt(seeded.dose1Capacity)} dose-1 doses: expect SOLD_OUT; use more --clinics`);
  log(`\nyeyak: verifying, queueing and admitting ${fmt(people)} people…`);
  const yeyak = await yeyakRun(adminUrl, yeyakUrl, appEnv, seeded, people, options);

  let pgbenchAfter: PgbenchRun | null = null;
  if (options.pgbenchAfter) {
    log(`\npgbench again (after the bookings), -T ${options.seconds}…`);
    pgbenchAfter = await pgbenchRun(adminUrl, pgbenchUrl, options, 'after');
  }

  const report = render({ startedAt, argv: process.argv.slice(2), revision: revision(REPO_ROOT), options, server, serverSource, cpuSplit, pgbenchBefore, pgbenchAfter, seeded, people, yeyak });
  log(`\n${report.markdown}`);
  const RESULTS_FILE = resultsFile(options);
  mkdirSync(dirname(RESULTS_FILE), { recursive: true });
  writeFileSync(RESULTS_FILE, report.markdown);
  writeSummary(summaryFile(options), { bench: 'booking', at: startedAt.toISOString(), revision: revision(REPO_ROOT), figures: report.figures, problems: report.problems, warnings: report.warnings });
  log(`written to ${RESULTS_FILE}`);
  if (report.problems.length > 0) {
    console.error(`FAILED: ${report.problems.join('; ')}`);
    return 1;
  }
  return 0;
}

const exitCode = await main().catch((error: unknown) => {
  console.error('bench:booking failed:', error);
  return 1;
});
await cleanUp();
process.exit(exitCode);
