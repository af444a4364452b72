/**
 * Booking throughput against pgbench, on the same PostgreSQL, in the same run (BRIEF §6: full
 * booking ≥ 50% of pgbench TPC-B-like TPS).
 *
 *   npm run bench:booking -- [--seconds 20] [--concurrency 48] [--apps 1] [--idempotency-keys]
 *                            [--clinics 2000] [--people N] [--db-pool N] [--warmup 2] [--no-pgbench-after]
 *                            [--profile] [--statements]
 *
 * Without DATABASE_URL it starts its own throwaway PostgreSQL 15 (default settings) on
 * 127.0.0.1; with it, it uses that server and creates/drops the databases yeyak_bench and
 * pgbench_bench there. See bench/README.md for how to read the figures.
 */
import { execFileSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { sql } from 'kysely';
import { createContext } from '../src/bootstrap.ts';
import { loadConfig } from '../src/config.ts';
import type { AdmissionPolicy } from '../src/modules/campaigns/campaign.ts';
import { addDays, seoulDate, timeFromMinutes } from '../src/modules/campaigns/domain/seoul-time.ts';
import { CLINIC_MINUTES } from '../src/modules/demo/demo-seed.ts';
import { BENCH_CAMPAIGN_ID, BENCH_INTERVAL_DAYS, DEFAULT_DAYS, openSeedContext, redactUrl, seedBench } from '../scripts/seed-bench.ts';
import type { LoadConfig, LoadMessage, LoadResult, PeopleResult } from './booking-load.ts';
import { cpuBetween, snapshot, type CpuSnapshot, type CpuUse } from './lib/cpu.ts';
import { renderProfile, summariseProfile, type ProfileSummary } from './lib/cpu-profile.ts';
import { renderStatementStats, startStatementStats, type StatementStats } from './lib/statement-stats.ts';
import { cleanUp, eventLoopOf, forkTs, installSignalHandlers, onCleanup, stopChild, waitForMessage, type Elu } from './lib/processes.ts';
import {
  dropDatabase,
  recreateDatabase,
  runPgbench,
  serverInfo,
  serverPids,
  walBetween,
  walMark,
  type WalMark,
  startActivitySampler,
  startThrowawayCluster,
  type ActivityProfile,
  withDatabase,
  type PgbenchResult,
  type ServerInfo,
  type ThrowawayCluster,
} from './lib/postgres.ts';
import { writeSummary, type BenchFigure } from './lib/summary.ts';

const TARGET_RATIO = 0.5;
/**
 * Admission policy of the bench campaign: the waiting room admits as fast as it is asked, so it is
 * not what limits a booking-throughput bench (everyone is admitted before the timed run anyway).
 */
const ADMISSION: AdmissionPolicy = { mode: 'fixed', ratePerSecond: 100_000, maxActive: 10_000_000 };
const YEYAK_DB = 'yeyak_bench';
const PGBENCH_DB = 'pgbench_bench';
const BENCH_DIR = dirname(fileURLToPath(import.meta.url));
const REPO_ROOT = dirname(BENCH_DIR);
const RESULTS_FILE = join(BENCH_DIR, 'results', 'booking-latest.md');
const SUMMARY_FILE = join(BENCH_DIR, 'results', 'booking-latest.json');

interface Options {
  seconds: number;
  warmup: number;
  concurrency: number;
  apps: number;
  idempotencyKeys: boolean;
  clinics: number;
  people: number | null;
  dbPool: number | null;
  scale: number;
  pgbenchClients: number;
  pgbenchThreads: number;
  pgbenchAfter: boolean;
  port: number;
  /** A V8 CPU profile of each app over the timed run. */
  profile: boolean;
  /** Per-statement costs from pg_stat_statements over the timed run (when the server loads it). */
  statements: boolean;
}

function parseOptions(): Options {
  const { values } = parseArgs({
    options: {
      seconds: { type: 'string' },
      warmup: { type: 'string' },
      concurrency: { type: 'string' },
      apps: { type: 'string' },
      'idempotency-keys': { type: 'boolean' },
      clinics: { type: 'string' },
      people: { type: 'string' },
      'db-pool': { type: 'string' },
      scale: { type: 'string' },
      'pgbench-clients': { type: 'string' },
      'pgbench-threads': { type: 'string' },
      'no-pgbench-after': { type: 'boolean' },
      port: { type: 'string' },
      profile: { type: 'boolean' },
      statements: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) {
    console.log(
      'usage: npm run bench:booking -- [--seconds 20] [--warmup 2] [--concurrency 48] [--apps 1]\n' +
        '         [--idempotency-keys] [--clinics 2000] [--people N] [--db-pool 10] [--scale 10]\n' +
        '         [--pgbench-clients 16] [--pgbench-threads 2] [--no-pgbench-after] [--port 55433]\n' +
        '         [--profile] [--statements]\n' +
        'See bench/README.md.',
    );
    process.exit(0);
  }
  const int = (name: string, raw: string | undefined, fallback: number, min: number): number => {
    if (raw === undefined) return fallback;
    if (!/^\d+$/.test(raw) || Number(raw) < min) throw new Error(`--${name} must be a whole number ≥ ${min}, got "${raw}"`);
    return Number(raw);
  };
  return {
    seconds: int('seconds', values.seconds, 20, 1),
    warmup: int('warmup', values.warmup, 2, 0),
    concurrency: int('concurrency', values.concurrency, 48, 1),
    apps: int('apps', values.apps, 1, 1),
    idempotencyKeys: values['idempotency-keys'] === true,
    clinics: int('clinics', values.clinics, 2000, 1),
    people: values.people === undefined ? null : int('people', values.people, 0, 1),
    dbPool: values['db-pool'] === undefined ? null : int('db-pool', values['db-pool'], 10, 1),
    scale: int('scale', values.scale, 10, 1),
    pgbenchClients: int('pgbench-clients', values['pgbench-clients'], 16, 1),
    pgbenchThreads: int('pgbench-threads', values['pgbench-threads'], 2, 1),
    pgbenchAfter: !values['no-pgbench-after'],
    port: int('port', values.port, 55433, 1024),
    profile: values.profile === true,
    statements: values.statements === true,
  };
}

installSignalHandlers();

function log(line: string): void {
  console.log(line);
}

const fmt = (n: number, digits = 0) => n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
const fmtCores = (n: number | null | undefined) => (n === null || n === undefined ? 'n/a' : n.toFixed(2));

interface PgbenchRun {
  result: PgbenchResult;
  cpu: CpuUse | null;
  activity: ActivityProfile | null;
  /** WAL over the sampled span (second 1 to T−1). */
  wal: WalSpan | null;
}

type WalSpan = ReturnType<typeof walBetween>;

/** pgbench -c/-j/-T with CPU sampled from second 1 to second T−1 (its backends exit at the end). */
async function pgbenchRun(adminUrl: string, url: string, options: Options, label: string): Promise<PgbenchRun> {
  const samples: { first?: CpuSnapshot; last?: CpuSnapshot; activity?: Promise<ActivityProfile>; walFirst?: Promise<WalMark>; walLast?: Promise<WalMark> } = {};
  let sampler: ReturnType<typeof startActivitySampler> | undefined;
  let pids: number[] = [];
  const sample = (pid: number) => snapshot({ postgres: { pids, comm: 'postgres' }, pgbench: { pids: [pid] }, bench: { pids: [process.pid] } });
  const result = await runPgbench(
    url,
    ['-c', String(options.pgbenchClients), '-j', String(options.pgbenchThreads), '-T', String(options.seconds), '-n'],
    (second, pid) => {
      if (second === 1) {
        void serverPids(url, PGBENCH_DB).then((found) => {
          pids = found;
          samples.first = sample(pid);
        });
        sampler = startActivitySampler(adminUrl, PGBENCH_DB);
        samples.walFirst = walMark(adminUrl);
      } else if (second === options.seconds - 1 && samples.first) {
        samples.last = sample(pid);
        samples.walLast = walMark(adminUrl);
        samples.activity = sampler?.then((started) => started.stop());
      }
    },
  );
  const cpu = samples.first && samples.last ? cpuBetween(samples.first, samples.last) : null;
  // A run too short to stop the sampler in time still closes its connection.
  const activity = await (samples.activity ?? sampler?.then((started) => started.stop()).then(() => null) ?? null);
  const wal = await walSpan(samples.walFirst, samples.walLast);
  log(`  ${label}: ${fmt(result.tps, 1)} TPS, latency avg ${result.latencyMs ?? '?'} ms, ${fmt(result.transactions ?? 0)} transactions${result.failed ? `, ${result.failed} failed` : ''}`);
  return { result, cpu, activity, wal };
}

interface Seeded {
  clinics: string[];
  dates: string[];
  times: string[];
  dose1Capacity: number;
  seedMs: { institutions: number; campaign: number; capacity: number };
  slots: number;
  fromDate: string;
  toDate: string;
}

async function seed(yeyakUrl: string, appEnv: NodeJS.ProcessEnv, options: Options): Promise<Seeded> {
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
async function walSpan(first: Promise<WalMark> | undefined, last: Promise<WalMark> | undefined): Promise<WalSpan | null> {
  if (!first || !last) return null;
  try {
    return walBetween(await first, await last);
  } catch {
    return null;
  }
}

interface YeyakRun {
  load: LoadResult;
  people: PeopleResult;
  cpu: CpuUse | null;
  activity: ActivityProfile | null;
  /** Share of wall time the app's event loop was busy during the timed run (0–1; mean over apps). */
  appEventLoop: number | null;
  bookingsInDb: number;
  oversoldSlots: number;
  /** WAL over the timed run. */
  wal: WalSpan | null;
  /** pg_stat_statements over the timed run (--statements), or why there is none. */
  statements: StatementStats | { unavailable: string } | null;
  /** The apps' CPU profiles over the timed run (--profile). */
  profiles: (ProfileSummary & { file: string })[];
}

/** `identity 201: 9,000, 409 …: 3; ticket 201: …; admission …` — every set-up answer by step. */
function stepAnswers(people: PeopleResult): string {
  return Object.entries(people.steps)
    .map(([name, step]) => `${name} ${Object.entries(step.statuses).map(([k, n]) => `${k}: ${fmt(n)}`).join(', ') || 'none'}`)
    .join('; ');
}

async function yeyakRun(adminUrl: string, yeyakUrl: string, appEnv: NodeJS.ProcessEnv, seeded: Seeded, people: number, options: Options): Promise<YeyakRun> {
  const apps: ChildProcess[] = [];
  const origins: string[] = [];
  for (let i = 0; i < options.apps; i++) {
    // The app's request lines (the default log level) go to a file, as a node's go to its collector.
    const logFile = join(tmpdir(), `yeyak-bench-app-${process.pid}-${i + 1}.log`);
    onCleanup(`remove app ${i + 1}'s log`, () => rmSync(logFile, { force: true }));
    const app = forkTs(join(BENCH_DIR, 'serve.ts'), { cwd: REPO_ROOT, env: { ...appEnv, DATABASE_URL: yeyakUrl, HOST: '127.0.0.1', PORT: '0' }, stdoutFile: logFile });
    apps.push(app);
    onCleanup(`stop app ${i + 1}`, () => stopChild(app));
    const { port } = await waitForMessage<{ type: 'listening'; port: number }>(app, 'listening', 60_000);
    origins.push(`http://127.0.0.1:${port}`);
    log(`  app ${i + 1}/${options.apps}: pid ${app.pid} listening on http://127.0.0.1:${port}`);
  }

  const load = forkTs(join(BENCH_DIR, 'booking-load.ts'), { cwd: REPO_ROOT, env: { ...process.env } });
  onCleanup('stop the load generator', () => stopChild(load, 2000));
  const config: LoadConfig = {
    origins,
    campaignId: BENCH_CAMPAIGN_ID,
    people,
    concurrency: options.concurrency,
    warmupSeconds: options.warmup,
    seconds: options.seconds,
    clinics: seeded.clinics,
    dates: seeded.dates,
    times: seeded.times,
    seed: 2021,
    idempotencyKeys: options.idempotencyKeys,
  };
  let pgPids: number[] = [];
  let pgPidsTimer: NodeJS.Timeout | null = null;
  const refreshPgPids = () => void serverPids(withDatabase(yeyakUrl, YEYAK_DB), YEYAK_DB).then((pids) => (pgPids = pids), () => {});
  const samples: {
    start?: CpuSnapshot;
    end?: CpuSnapshot;
    people?: PeopleResult;
    sampler?: ReturnType<typeof startActivitySampler>;
    activity?: Promise<ActivityProfile>;
    eluStart?: Promise<Elu[]>;
    eluEnd?: Promise<Elu[]>;
    statements?: ReturnType<typeof startStatementStats>;
    statementsEnd?: Promise<StatementStats | { unavailable: string }>;
    profilesWritten?: Promise<string[]>;
    walStart?: Promise<WalMark>;
    walEnd?: Promise<WalMark>;
  } = {};
  const profileDir = options.profile ? mkdtempSync(join(tmpdir(), 'yeyak-bench-booking-profiles-')) : null;
  const sample = () =>
    snapshot({
      app: { pids: apps.map((app) => app.pid ?? 0) },
      load: { pids: [load.pid ?? 0] },
      // This process (sampling, IPC): named so it is not listed among the other processes.
      bench: { pids: [process.pid] },
      postgres: { pids: pgPids, comm: 'postgres' },
    });
  const result = new Promise<LoadResult>((resolveResult, reject) => {
    load.on('message', (message: LoadMessage) => {
      switch (message.type) {
        case 'people-done': {
          samples.people = message.people;
          const { identity, ticket, admission } = message.people.steps;
          log(`  ${fmt(identity.ok)} people verified via POST /api/v1/identity/dev in ${identity.seconds.toFixed(1)} s (${fmt(identity.ok / identity.seconds)}/s)`);
          log(`  ${fmt(ticket.ok)} joined the queue via POST …/queue/tickets in ${ticket.seconds.toFixed(1)} s (${fmt(ticket.ok / ticket.seconds)}/s)`);
          log(`  ${fmt(admission.ok)} admitted via POST …/admissions in ${admission.seconds.toFixed(1)} s (${fmt(admission.ok / admission.seconds)}/s; ${fmt(admission.retries)} answers 425 asked again)`);
          if (message.people.created < people) {
            const answers = stepAnswers(message.people);
            log(`  answers: ${answers}`);
            if (message.people.created < people * 0.9) {
              reject(new Error(`only ${message.people.created} of ${people} people could be verified and admitted (${answers}): the bench cannot book without them`));
            }
          }
          log(`  booking: ${options.warmup} s warm-up, then ${options.seconds} s timed, ${options.concurrency} in flight…`);
          // The app's pool opens its connections during the warm-up: the backends serving the timed
          // run are those there at its start, so the list is refreshed until then (a backend missing
          // from the list would put its CPU under "everything else", as it did until session 5).
          refreshPgPids();
          pgPidsTimer = setInterval(refreshPgPids, 500);
          break;
        }
        case 'timed-start':
          if (pgPidsTimer) clearInterval(pgPidsTimer);
          samples.start = sample();
          samples.walStart = walMark(adminUrl);
          samples.sampler = startActivitySampler(adminUrl, YEYAK_DB);
          samples.eluStart = Promise.all(apps.map(eventLoopOf));
          if (options.statements) samples.statements = startStatementStats(yeyakUrl, YEYAK_DB);
          if (profileDir) for (const app of apps) app.send({ type: 'profile-start', intervalMicros: 500 });
          break;
        case 'timed-end':
          samples.end = sample();
          samples.walEnd = walMark(adminUrl);
          samples.activity = samples.sampler?.then((started) => started.stop());
          samples.eluEnd = Promise.all(apps.map(eventLoopOf));
          samples.statementsEnd = samples.statements?.then((s): Promise<StatementStats | { unavailable: string }> | { unavailable: string } => ('stop' in s ? s.stop() : s));
          if (profileDir) {
            samples.profilesWritten = Promise.all(
              apps.map(async (app, i) => {
                const file = join(profileDir, `app-${i + 1}.cpuprofile`);
                const written = waitForMessage(app, 'profile-written', 60_000);
                app.send({ type: 'profile-stop', file });
                await written;
                return file;
              }),
            );
          }
          break;
        case 'result':
          resolveResult(message.result);
          break;
        case 'failed':
          reject(new Error(`load generator failed: ${message.error}`));
          break;
      }
    });
    load.once('exit', (code, signal) => reject(new Error(`load generator exited (${code ?? signal}) without a result`)));
    for (const app of apps) app.once('exit', (code, signal) => reject(new Error(`app pid ${app.pid} exited (${code ?? signal}) during the run`)));
  });
  load.send({ type: 'start', config });
  const loadResult = await result.finally(() => {
    if (pgPidsTimer) clearInterval(pgPidsTimer);
  });
  const activity = (await samples.activity) ?? null;
  const [eluStart, eluEnd] = await Promise.all([samples.eluStart, samples.eluEnd]);
  const statements = (await samples.statementsEnd) ?? null;
  const profiles = ((await samples.profilesWritten) ?? []).map((file) => ({ ...summariseProfile(file, REPO_ROOT), file }));
  // Mean over the app processes of the share of wall time each event loop was busy.
  const appEventLoop =
    eluStart && eluEnd
      ? eluEnd.reduce((sum, end, i) => {
          const start = eluStart[i]!;
          return sum + (end.active - start.active) / (end.active - start.active + end.idle - start.idle);
        }, 0) / eluEnd.length
      : null;
  await stopChild(load, 5000);
  await Promise.all(apps.map((app) => stopChild(app)));

  // Every 201 must be a committed booking, and no slot may hold more than its capacity.
  const check = loadConfig({ ...appEnv, DATABASE_URL: yeyakUrl });
  const ctx = await createContext(check);
  try {
    const booked = await ctx.db.selectFrom('bookings').select(sql<number>`count(*)::int`.as('n')).where('status', '=', 'booked').executeTakeFirstOrThrow();
    const over = await ctx.db.selectFrom('capacity_slots').select(sql<number>`count(*)::int`.as('n')).where(sql<boolean>`booked > capacity`).executeTakeFirstOrThrow();
    return {
      load: loadResult,
      people: samples.people ?? loadResult.people,
      cpu: samples.start && samples.end ? cpuBetween(samples.start, samples.end) : null,
      activity,
      appEventLoop,
      bookingsInDb: booked.n,
      oversoldSlots: over.n,
      statements,
      profiles,
      wal: await walSpan(samples.walStart, samples.walEnd),
    };
  } finally {
    await ctx.database.close();
  }
}

/** The code measured: commit, and whether the working tree had changes on top of it. */
function revision(): string {
  try {
    const head = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: REPO_ROOT, encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--', 'src', 'migrations'], { cwd: REPO_ROOT, encoding: 'utf8' }).trim() !== '';
    return dirty ? `${head} + uncommitted changes in src/ or migrations/` : head;
  } catch {
    return 'unknown revision';
  }
}

function cpuModel(): string {
  try {
    const line = readFileSync('/proc/cpuinfo', 'utf8').split('\n').find((l) => l.startsWith('model name'));
    return line?.split(':')[1]?.trim() ?? cpus()[0]?.model ?? '?';
  } catch {
    return cpus()[0]?.model ?? '?';
  }
}

interface Report {
  startedAt: Date;
  argv: string[];
  revision: string;
  options: Options;
  server: ServerInfo;
  serverSource: string;
  pgbenchBefore: PgbenchRun;
  pgbenchAfter: PgbenchRun | null;
  seeded: Seeded;
  people: number;
  yeyak: YeyakRun;
}

/** The set-up before the timed run, step by step (not measured against anything). */
function setupLine(people: PeopleResult): string {
  const { identity, ticket, admission } = people.steps;
  const rate = (s: { ok: number; seconds: number }) => `${fmt(s.ok)} in ${s.seconds.toFixed(1)} s (${fmt(s.ok / Math.max(0.001, s.seconds))}/s)`;
  return (
    `Set-up, outside the timed run (campaign admission \`${JSON.stringify(ADMISSION)}\`): sessions via \`POST /api/v1/identity/dev\` ${rate(identity)}; ` +
    `queue tickets via \`POST …/queue/tickets\` ${rate(ticket)}; admissions via \`POST …/admissions\` ${rate(admission)}, ${fmt(admission.retries)} answers 425 asked again after ${admission.retryMs} ms. ` +
    `Answers: ${stepAnswers(people)}.`
  );
}

/** The per-statement section (--statements): PostgreSQL's own counters over the timed run. */
function statementSection(stats: YeyakRun['statements'], bookings: number): string[] {
  if (stats === null) return [];
  const body = 'unavailable' in stats ? [stats.unavailable] : renderStatementStats(stats, bookings);
  return ['## Statements per booking (pg_stat_statements over the timed run)', '', ...body, ''];
}

function render(r: Report): { markdown: string; problems: string[]; warnings: string[]; figures: BenchFigure[] } {
  const { load } = r.yeyak;
  const bookingsPerSecond = load.booked / load.seconds;
  const tpsBefore = r.pgbenchBefore.result.tps;
  const tpsAfter = r.pgbenchAfter?.result.tps ?? null;
  const tps = tpsAfter === null ? tpsBefore : (tpsBefore + tpsAfter) / 2;
  const ratio = bookingsPerSecond / tps;
  const met = ratio >= TARGET_RATIO;
  const total = Object.values(load.statuses).reduce((a, b) => a + b, 0);
  const soldOut = load.statuses['409 YEYAK_ERR_SOLD_OUT'] ?? 0;
  const fiveXx = Object.entries(load.statuses).filter(([k]) => k.startsWith('5')).reduce((a, [, n]) => a + n, 0);
  const committed201 = load.warmupBooked + load.booked + load.late201;

  const problems: string[] = [];
  const warnings: string[] = [];
  if (r.yeyak.bookingsInDb !== committed201) problems.push(`${committed201} bookings answered 201 but ${r.yeyak.bookingsInDb} are in the database`);
  if (r.yeyak.oversoldSlots > 0) problems.push(`${r.yeyak.oversoldSlots} slots hold more bookings than their capacity`);
  if (soldOut > total * 0.01) warnings.push(`${fmt(soldOut)} SOLD_OUT answers (${((100 * soldOut) / total).toFixed(1)}%): the seed is too small for this rate; use more --clinics`);
  const refused = Object.entries(load.statuses).filter(([k]) => k.startsWith('401') || k.startsWith('403')).reduce((a, [, n]) => a + n, 0);
  if (refused > 0) problems.push(`${fmt(refused)} bookings refused 401/403 in the timed run: the admissions the bench holds were not accepted`);
  if (fiveXx > 0) warnings.push(`${fiveXx} 5xx answers during the timed run`);
  if (load.peopleExhaustedAt !== null) {
    warnings.push(`people ran out ${load.peopleExhaustedAt.toFixed(1)} s into the ${r.options.seconds} s timed run: bookings/s is over the ${load.seconds.toFixed(1)} s that ran; pass a larger --people for the full window`);
  }
  if (tpsAfter !== null && Math.abs(tpsAfter - tpsBefore) / tpsBefore > 0.25) {
    warnings.push(`pgbench moved ${(((tpsAfter - tpsBefore) / tpsBefore) * 100).toFixed(0)}% between the runs before and after the bookings: the machine was not steady`);
  }

  // CPU milliseconds per unit of work, clients included: what each would cost with the machine to
  // itself. Their ratio moves much less than the throughputs when neighbours take CPU.
  const pgbenchCost = (run: PgbenchRun | null) =>
    run?.cpu?.groups.postgres && run.cpu.groups.pgbench ? ((run.cpu.groups.postgres + run.cpu.groups.pgbench) * 1000) / run.result.tps : null;
  const pgbenchCosts = [pgbenchCost(r.pgbenchBefore), pgbenchCost(r.pgbenchAfter)].filter((c): c is number => c !== null);
  const bookingCost =
    r.yeyak.cpu?.groups.postgres && r.yeyak.cpu.groups.app && r.yeyak.cpu.groups.load && bookingsPerSecond > 0
      ? ((r.yeyak.cpu.groups.postgres + r.yeyak.cpu.groups.app + r.yeyak.cpu.groups.load) * 1000) / bookingsPerSecond
      : null;
  const costRatio = bookingCost !== null && pgbenchCosts.length > 0 ? pgbenchCosts.reduce((a, c) => a + c, 0) / pgbenchCosts.length / bookingCost : null;

  const lat = load.latencyMs;
  const rows: [string, string][] = [
    [`pgbench TPS (TPC-B-like, -c ${r.options.pgbenchClients} -j ${r.options.pgbenchThreads}, ${r.options.seconds} s), before`, fmt(tpsBefore, 1)],
    ...(tpsAfter === null ? [] : ([
      ['pgbench TPS, after the bookings', fmt(tpsAfter, 1)],
      ['pgbench TPS used for the ratio (mean)', fmt(tps, 1)],
    ] as [string, string][])),
    [`bookings/s (201 only, ${r.options.concurrency} in flight, ${load.seconds.toFixed(1)} s)`, fmt(bookingsPerSecond, 1)],
    ['**ratio bookings/s ÷ TPS**', `**${ratio.toFixed(2)}**`],
    ['target (BRIEF §6)', `≥ ${TARGET_RATIO} — ${met ? 'met' : 'NOT met'}`],
    ...(costRatio === null || bookingCost === null
      ? []
      : ([
          [
            'CPU-cost ratio: CPU ms per pgbench transaction ÷ per booking, clients included (estimate that shrugs off neighbours)',
            `${costRatio.toFixed(2)} (${(pgbenchCosts.reduce((a, c) => a + c, 0) / pgbenchCosts.length).toFixed(2)} ms ÷ ${bookingCost.toFixed(2)} ms)`,
          ],
        ] as [string, string][])),
    ['booking latency p50', lat ? `${lat.p50.toFixed(1)} ms` : 'n/a'],
    ['booking latency p99', lat ? `${lat.p99.toFixed(1)} ms` : 'n/a'],
  ];
  const table = ['| measure | value |', '|---|---|', ...rows.map(([k, v]) => `| ${k} | ${v} |`)].join('\n');

  const statuses = Object.entries(load.statuses)
    .sort((a, b) => b[1] - a[1])
    .map(([k, n]) => `| ${k} | ${fmt(n)} |`)
    .join('\n');

  const b = r.yeyak.cpu;
  const p = r.pgbenchBefore.cpu;
  const cpuLines: string[] = ['| phase | machine busy | postgres | app (Node) | load generator / pgbench | everything else |', '|---|---|---|---|---|---|'];
  if (p) {
    const other = p.machineBusyCores === null ? null : p.machineBusyCores - (p.groups.postgres ?? 0) - (p.groups.pgbench ?? 0);
    cpuLines.push(`| pgbench (before) | ${fmtCores(p.machineBusyCores)} of ${fmtCores(p.machineCores)} | ${fmtCores(p.groups.postgres)} | – | ${fmtCores(p.groups.pgbench)} | ${fmtCores(other)} |`);
  }
  const a = r.pgbenchAfter?.cpu;
  if (a) {
    const other = a.machineBusyCores === null ? null : a.machineBusyCores - (a.groups.postgres ?? 0) - (a.groups.pgbench ?? 0);
    cpuLines.push(`| pgbench (after) | ${fmtCores(a.machineBusyCores)} of ${fmtCores(a.machineCores)} | ${fmtCores(a.groups.postgres)} | – | ${fmtCores(a.groups.pgbench)} | ${fmtCores(other)} |`);
  }
  if (b) {
    const other = b.machineBusyCores === null ? null : b.machineBusyCores - (b.groups.postgres ?? 0) - (b.groups.app ?? 0) - (b.groups.load ?? 0);
    cpuLines.push(`| bookings | ${fmtCores(b.machineBusyCores)} of ${fmtCores(b.machineCores)} | ${fmtCores(b.groups.postgres)} | ${fmtCores(b.groups.app)} | ${fmtCores(b.groups.load)} | ${fmtCores(other)} |`);
  }
  const perUnit: string[] = [];
  const perBooking = bookingsPerSecond > 0;
  if (p?.groups.postgres) perUnit.push(`PostgreSQL CPU per pgbench transaction: ${((p.groups.postgres * 1000) / tpsBefore).toFixed(3)} ms`);
  if (perBooking && b?.groups.postgres) perUnit.push(`PostgreSQL CPU per booking: ${((b.groups.postgres * 1000) / bookingsPerSecond).toFixed(3)} ms`);
  if (perBooking && b?.groups.app) perUnit.push(`app (Node) CPU per booking: ${((b.groups.app * 1000) / bookingsPerSecond).toFixed(3)} ms`);
  if (r.yeyak.appEventLoop !== null && Number.isFinite(r.yeyak.appEventLoop)) {
    perUnit.push(`app event loop busy ${(r.yeyak.appEventLoop * 100).toFixed(0)}% of the timed run (event-loop utilisation${r.options.apps > 1 ? `, mean of ${r.options.apps} processes` : ''})`);
  }
  const pw = r.pgbenchBefore.wal;
  const bw = r.yeyak.wal;
  const walLine = (w: WalSpan, per: number, unit: string) => `WAL per ${unit}: ${fmt(w.bytes / per / 1024, 1)} kB, ${fmt(w.records / per, 1)} records, ${fmt(w.fpi / per, 2)} full-page images`;
  if (pw && tpsBefore > 0) perUnit.push(walLine(pw, tpsBefore * pw.seconds, 'pgbench transaction'));
  if (bw && perBooking) perUnit.push(walLine(bw, bookingsPerSecond * bw.seconds, 'booking'));
  if (perBooking && b?.groups.load) perUnit.push(`load generator CPU per booking: ${((b.groups.load * 1000) / bookingsPerSecond).toFixed(3)} ms`);
  const steal = [p, b].map((use) => use?.machineStealCores ?? 0);
  if (steal.some((x) => x >= 0.01)) perUnit.push(`CPU stolen by the hypervisor: ${fmtCores(steal[0])} cores during pgbench, ${fmtCores(steal[1])} during the bookings`);
  const busiest = (use: CpuUse) => use.others.map((o) => `${o.comm} (pid ${o.pid}) ${o.cores.toFixed(2)}`).join(', ') || 'none above 0.01 core';
  if (p) perUnit.push(`busiest other processes during pgbench: ${busiest(p)}`);
  if (b) perUnit.push(`busiest other processes during the bookings: ${busiest(b)}`);

  const activityLines: string[] = [];
  const pa = r.pgbenchBefore.activity;
  const ba = r.yeyak.activity;
  if (pa || ba) {
    const keys = [...new Set([...Object.keys(pa?.backends ?? {}), ...Object.keys(ba?.backends ?? {})])];
    keys.sort((x, y) => (ba?.backends[y] ?? 0) + (pa?.backends[y] ?? 0) - (ba?.backends[x] ?? 0) - (pa?.backends[x] ?? 0));
    activityLines.push(
      `| backend state (pg_stat_activity, sampled every 50 ms) | pgbench (${r.options.pgbenchClients} connections) | bookings (${r.options.apps} × booking pool ${r.options.dbPool ?? 10}) |`,
      '|---|---|---|',
      ...keys.map((k) => `| ${k} | ${pa?.backends[k]?.toFixed(2) ?? '–'} | ${ba?.backends[k]?.toFixed(2) ?? '–'} |`),
    );
  }
  const perSecond = load.perSecond;
  const settings = Object.entries(r.server.settings).map(([k, v]) => `${k}=${v}`).join(', ');
  const md = [
    '# Booking throughput vs pgbench',
    '',
    `Run ${r.startedAt.toISOString()} · \`npm run bench:booking${r.argv.length > 0 ? ` -- ${r.argv.join(' ')}` : ''}\` · code ${r.revision} · ${cpus().length} × ${cpuModel()} · Node ${process.version}`,
    '',
    `PostgreSQL: ${r.server.version} (${r.serverSource}); ${settings}`,
    '',
    table,
    '',
    `Booking = \`POST /api/v1/campaigns/${BENCH_CAMPAIGN_ID}/bookings\` with the person's admission (\`Authorization: Bearer\`) over HTTP keep-alive against the real app (${r.options.apps === 1 ? 'one process' : `${r.options.apps} processes, round-robin`}, booking-path DB pool ${r.options.dbPool ?? 10}${r.options.apps === 1 ? '' : ' each'}` +
      `${r.options.idempotencyKeys ? ', an Idempotency-Key on every request' : ', no Idempotency-Key'}), ` +
      `2 doses ${BENCH_INTERVAL_DAYS} days apart, random clinic/date/time over ${fmt(r.seeded.clinics.length)} clinics × ${r.seeded.dates.length} dates × ${r.seeded.times.length} times ` +
      `(${fmt(r.seeded.dose1Capacity)} dose-1 doses); one fresh person per booking (${fmt(r.yeyak.people.created)} verified, queued and admitted up front).`,
    '',
    setupLine(r.yeyak.people),
    '',
    `Bookings per second over the timed run: min ${fmt(Math.min(...perSecond))}, max ${fmt(Math.max(...perSecond))}; latency p90 ${lat ? lat.p90.toFixed(1) : 'n/a'} ms, max ${lat ? lat.max.toFixed(1) : 'n/a'} ms, mean ${lat ? lat.mean.toFixed(1) : 'n/a'} ms.`,
    '',
    '## Status codes in the timed run',
    '',
    '| status | count |',
    '|---|---|',
    statuses,
    '',
    `Outside the timed run: ${fmt(load.warmupBooked)} bookings in the warm-up, ${fmt(load.lateCompletions)} requests finished after the deadline (${fmt(load.late201)} of them 201).`,
    `Database check: ${fmt(r.yeyak.bookingsInDb)} live bookings for ${fmt(committed201)} answers 201; ${r.yeyak.oversoldSlots} oversold slots.`,
    '',
    '## CPU (average cores in use)',
    '',
    ...(p || b ? cpuLines : ['CPU accounting needs /proc (Linux).']),
    '',
    ...perUnit.map((l) => `- ${l}`),
    '',
    ...(activityLines.length > 0 ? ['## What the PostgreSQL backends were doing (average number of connections)', '', ...activityLines, ''] : []),
    ...statementSection(r.yeyak.statements, load.booked),
    ...(r.yeyak.profiles.length > 0
      ? ['## CPU profiles of the app over the timed run (V8 sampling profiler, 500 µs; it slows the app a little)', '', ...r.yeyak.profiles.flatMap((p, i) => renderProfile(`app ${i + 1}`, p))]
      : []),
    ...(warnings.length + problems.length > 0 ? ['## Warnings', '', ...problems.map((w) => `- **${w}**`), ...warnings.map((w) => `- ${w}`), ''] : []),
  ].join('\n');
  const figures: BenchFigure[] = [
    { setup: 'PostgreSQL', path: 'full booking', value: bookingsPerSecond, unit: 'bookings/s', baseline: tps, baselineLabel: 'pgbench TPC-B-like TPS', ratio, target: TARGET_RATIO, costRatio },
  ];
  return { markdown: md, problems, warnings, figures };
}

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
    serverSource = `throwaway cluster on 127.0.0.1:${cluster.port}, default settings`;
    log(`throwaway PostgreSQL in ${cluster.dir}, port ${cluster.port} (${((performance.now() - started) / 1000).toFixed(1)} s to initdb and start)`);
  }
  const server = await serverInfo(adminUrl);
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

  const report = render({ startedAt, argv: process.argv.slice(2), revision: revision(), options, server, serverSource, pgbenchBefore, pgbenchAfter, seeded, people, yeyak });
  log(`\n${report.markdown}`);
  mkdirSync(dirname(RESULTS_FILE), { recursive: true });
  writeFileSync(RESULTS_FILE, report.markdown);
  writeSummary(SUMMARY_FILE, { bench: 'booking', at: startedAt.toISOString(), revision: revision(), figures: report.figures, problems: report.problems, warnings: report.warnings });
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
