/**
 * The measured part of bench:booking: the app processes, the load process that makes people ready
 * and books, and what PostgreSQL did meanwhile (CPU, WAL, activity, statements).
 */
import { type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { createContext } from '../../src/bootstrap.ts';
import { loadConfig } from '../../src/config.ts';
import { BENCH_CAMPAIGN_ID } from '../../scripts/seed-bench.ts';
import type { LoadConfig, LoadMessage, LoadResult, PeopleResult } from '../booking-load.ts';
import { cpuBetween, snapshot, type CpuSnapshot, type CpuUse } from '../lib/cpu.ts';
import { summariseProfile, type ProfileSummary } from '../lib/cpu-profile.ts';
import { startStatementStats, type StatementStats } from '../lib/statement-stats.ts';
import { eventLoopOf, forkTs, onCleanup, stopChild, waitForMessage, type Elu } from '../lib/processes.ts';
import { checkpoint, serverPids, walBetween, walMark, type WalMark, startActivitySampler, type ActivityProfile, withDatabase } from '../lib/postgres.ts';
import { fmt } from '../lib/report.ts';
import { walRecordsBetween, type WalRecordGroup } from '../lib/wal-records.ts';
import { BENCH_DIR, type Options, REPO_ROOT, YEYAK_DB, log } from './config.ts';
import { type WalSpan } from './pgbench-run.ts';
import { relayBetween, relayMark, type RelayMark } from './relay-progress.ts';
import type { Seeded } from './seed.ts';

export async function walSpan(first: Promise<WalMark> | undefined, last: Promise<WalMark> | undefined): Promise<WalSpan | null> {
  if (!first || !last) return null;
  try {
    return walBetween(await first, await last);
  } catch {
    return null;
  }
}

export interface YeyakRun {
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
  /** The outbox relay's messages over the timed run: fanned out and sent. */
  relay: RelayMark | null;
  /** The same WAL by relation and record type (`pg_walinspect`), or why it could not be read. */
  walRecords: WalRecordGroup[] | { unavailable: string } | null;
  /** pg_stat_statements over the timed run (--statements), or why there is none. */
  statements: StatementStats | { unavailable: string } | null;
  /** The apps' CPU profiles over the timed run (--profile). */
  profiles: (ProfileSummary & { file: string })[];
}

/** `identity 201: 9,000, 409 …: 3; ticket 201: …; admission …` — every set-up answer by step. */
export function stepAnswers(people: PeopleResult): string {
  return Object.entries(people.steps)
    .map(([name, step]) => `${name} ${Object.entries(step.statuses).map(([k, n]) => `${k}: ${fmt(n)}`).join(', ') || 'none'}`)
    .join('; ');
}

export async function yeyakRun(adminUrl: string, yeyakUrl: string, appEnv: NodeJS.ProcessEnv, seeded: Seeded, people: number, options: Options): Promise<YeyakRun> {
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
    relayStart?: Promise<RelayMark | null>;
    relayEnd?: Promise<RelayMark | null>;
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
          // from the list would put its CPU under "everything else").
          refreshPgPids();
          pgPidsTimer = setInterval(refreshPgPids, 500);
          checkpoint(adminUrl).catch((error: unknown) => log(`  CHECKPOINT before the timed run failed: ${String(error)}`));
          break;
        }
        case 'timed-start':
          if (pgPidsTimer) clearInterval(pgPidsTimer);
          samples.start = sample();
          samples.walStart = walMark(adminUrl);
          samples.relayStart = relayMark(yeyakUrl);
          samples.sampler = startActivitySampler(adminUrl, YEYAK_DB);
          samples.eluStart = Promise.all(apps.map(eventLoopOf));
          if (options.statements) samples.statements = startStatementStats(yeyakUrl, YEYAK_DB);
          if (profileDir) for (const app of apps) app.send({ type: 'profile-start', intervalMicros: 500 });
          break;
        case 'timed-end':
          samples.end = sample();
          samples.walEnd = walMark(adminUrl);
          samples.relayEnd = relayMark(yeyakUrl);
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
  const [walStart, walEnd] = await Promise.all([samples.walStart, samples.walEnd]).catch(() => [undefined, undefined]);
  const walRecords = walStart && walEnd ? await walRecordsBetween(adminUrl, YEYAK_DB, walStart.lsn, walEnd.lsn) : null;

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
      relay: await relayBetween(samples.relayStart, samples.relayEnd),
      walRecords,
    };
  } finally {
    await ctx.database.close();
  }
}

/** The code measured: commit, and whether the working tree had changes on top of it. */
