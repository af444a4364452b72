/**
 * The waiting room against a bare `node:http` server, in the same run (BRIEF §5–6: the waiting room
 * costs O(1) per waiter; shared status poll ≥ 0.8 and queue join ≥ 0.5 of bare node:http
 * throughput). Load from Debian's wrk (about 0.4 core), keep-alive, on 127.0.0.1 only.
 *
 *   npm run bench:queue -- [--seconds 10] [--warmup 2] [--threads 1] [--connections 64]
 *                          [--people N] [--tickets 10000] [--session-budget 120] [--profile]
 *                          [--without-log] [--log-cost-rounds 12]
 *
 * Always the embedded default (PGlite + in-process queue store); with DATABASE_URL and REDIS_URL
 * also PostgreSQL + Redis (a database `yeyak_queue_bench` is created on that server and dropped;
 * the campaign's Redis keys are deleted). See bench/README.md for how to read the figures.
 *
 * This file runs the setups and writes the report; the parts are in bench/queue/: `config.ts`
 * (options, targets, files), `setup-calls.ts` (identities, tickets and the status over HTTP, not
 * measured), `measure.ts` (one path under wrk), `scenario.ts` (one setup's paths in turn) and
 * `report.ts` (one setup's tables and figures).
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { dropDatabase, recreateDatabase, serverPids, withDatabase } from './lib/postgres.ts';
import { cleanUp, installSignalHandlers, interrupted, onCleanup } from './lib/processes.ts';
import { machineLine, revision, writeResult } from './lib/report.ts';
import { findWrk, stopAllWrk } from './lib/wrk.ts';
import { appEnvironment } from './lib/app-env.ts';
import { deleteCampaignKeys } from './lib/redis-keys.ts';
import { writeSummary } from './lib/summary.ts';
import { QUEUE_DB, REPO_ROOT, RESULTS_FILE, SUMMARY_FILE, TARGET_JOIN, TARGET_SIGN_IN, TARGET_STATUS, log, parseOptions } from './queue/config.ts';
import type { Scenario } from './queue/measure.ts';
import { renderLogCost, runLogCost } from './queue/log-cost.ts';
import { renderScenario } from './queue/report.ts';
import { type ScenarioResult, runScenario } from './queue/scenario.ts';

async function main(): Promise<number> {
  const options = parseOptions();
  const startedAt = new Date();
  let wrk: { path: string; version: string };
  try {
    wrk = findWrk();
  } catch (error) {
    console.error(`bench:queue needs wrk as its load generator — ${(error as Error).message}`);
    return 2;
  }
  log(`bench:queue — ${machineLine()}; wrk ${wrk.version} (${wrk.path})`);
  if (process.versions.node.split('.')[0] !== '24') log(`  note: Node ${process.version}, not the pinned 24: run it through npm run (node_modules/.bin/node)`);

  const tmp = mkdtempSync(join(tmpdir(), 'yeyak-bench-queue-'));
  onCleanup('remove the temporary directory', () => rmSync(tmp, { recursive: true, force: true }));
  const profileDir = options.profile ? join(tmp, '..', `yeyak-bench-queue-profiles-${Date.now().toString(36)}`) : null;
  if (profileDir) mkdirSync(profileDir, { recursive: true });

  const scenarios: { scenario: Scenario; env: NodeJS.ProcessEnv; prepare?: () => Promise<void> }[] = [];
  // The queue's transparency log is kept unless --without-log (then the stores record nothing).
  // The setting this comparison is about: the log is on by default, and off only when a deployment says so.
  const logSetting: Record<string, string> = options.withoutLog ? { YEYAK_QUEUE_LOG: 'off' } : {};
  if (options.withoutLog) log('  without the queue log (--without-log): compare with a run that keeps it');
  const embeddedDir = join(tmp, 'embedded');
  mkdirSync(embeddedDir);
  scenarios.push({
    scenario: { name: 'embedded', title: 'Embedded default (PGlite, in-process queue store), one process', tmp: embeddedDir, options, wrk: wrk.path, profileDir, extraGroups: () => ({}) },
    env: appEnvironment(embeddedDir, logSetting),
  });

  const databaseUrl = process.env.DATABASE_URL;
  const redisUrl = process.env.REDIS_URL;
  let skipped: string | null = null;
  if (databaseUrl && redisUrl) {
    const own = new URL(databaseUrl).pathname.slice(1);
    if (own === QUEUE_DB) throw new Error(`DATABASE_URL must not name ${QUEUE_DB}: the bench drops that database`);
    const dbUrl = withDatabase(databaseUrl, QUEUE_DB);
    const scaleDir = join(tmp, 'scale-out');
    mkdirSync(scaleDir);
    let pgPids: number[] = [];
    let redisPid: number | null = null;
    scenarios.push({
      scenario: {
        name: 'scale-out',
        title: 'PostgreSQL + Redis (DATABASE_URL, REDIS_URL), one app process',
        tmp: scaleDir,
        options,
        wrk: wrk.path,
        profileDir,
        extraGroups: () => ({ postgres: { pids: pgPids, comm: 'postgres' }, redis: { pids: redisPid === null ? [] : [redisPid], comm: 'redis-server' } }),
      },
      env: appEnvironment(scaleDir, { DATABASE_URL: dbUrl, REDIS_URL: redisUrl, ...logSetting }),
      prepare: async () => {
        await recreateDatabase(databaseUrl, QUEUE_DB);
        onCleanup(`drop ${QUEUE_DB}`, () => dropDatabase(databaseUrl, QUEUE_DB));
        const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
        await redis.connect();
        const info = await redis.info('server');
        redisPid = Number(/process_id:(\d+)/.exec(info)?.[1]) || null;
        await redis.quit();
        // The app's connections to the bench database, once it runs (only readable when the server is local).
        const timer = setInterval(() => void serverPids(dbUrl, QUEUE_DB).then((p) => (pgPids = p)).catch(() => {}), 2000);
        timer.unref();
        onCleanup('stop watching PostgreSQL', () => clearInterval(timer));
      },
    });
  } else if (databaseUrl || redisUrl) {
    skipped = `PostgreSQL + Redis skipped: set both DATABASE_URL and REDIS_URL (only ${databaseUrl ? 'DATABASE_URL' : 'REDIS_URL'} is set)`;
  } else {
    skipped = 'PostgreSQL + Redis skipped: run `DATABASE_URL=postgresql://user@127.0.0.1:5432/postgres REDIS_URL=redis://127.0.0.1:6379 npm run bench:queue` to measure them too';
  }
  if (skipped) log(skipped);

  const results: ScenarioResult[] = [];
  for (const { scenario, env, prepare } of scenarios) {
    await prepare?.();
    const result = await runScenario(scenario, env);
    results.push(result);
    if (scenario.name === 'scale-out' && redisUrl) await deleteCampaignKeys(redisUrl, result.campaignId);
  }

  const rendered = results.map(renderScenario);
  // The log's cost to the join, on and off side by side (not when this run has the log off anyway).
  const logCost =
    options.logCostRounds > 0 && !options.withoutLog
      ? renderLogCost(await runLogCost(appEnvironment(join(tmp, 'log-cost'), {}), tmp, wrk.path, { rounds: options.logCostRounds, profileDir, seconds: 3, threads: options.threads, connections: options.connections }))
      : null;
  const problems = rendered.flatMap((r) => r.problems);
  const warnings = [...rendered.flatMap((r) => r.warnings), ...(logCost?.warnings ?? [])];
  const argv = process.argv.slice(2);
  const markdown = [
    '# Waiting room vs bare node:http',
    '',
    `Run ${startedAt.toISOString()} · \`npm run bench:queue${argv.length > 0 ? ` -- ${argv.join(' ')}` : ''}\` · code ${revision(REPO_ROOT)} · ${machineLine()} · wrk ${wrk.version}, \`-t${options.threads} -c${options.connections} -d${options.seconds}s --latency\`, keep-alive, 127.0.0.1`,
    '',
    `Targets (BRIEF §6 and issue 21): shared status poll ≥ ${TARGET_STATUS}, a new person's sign-in ≥ ${TARGET_SIGN_IN} and queue join ≥ ${TARGET_JOIN} of bare \`node:http\` throughput in the same run; admission has none (reported). ` +
      'Ratios only mean something within one run: absolute figures on a small shared machine swing up to 2×.',
    '',
    ...rendered.map((r) => r.markdown),
    ...(logCost ? [logCost.markdown] : []),
    ...(skipped ? [`_${skipped}._`, ''] : []),
    ...(warnings.length + problems.length > 0 ? ['## Warnings', '', ...problems.map((p) => `- **${p}**`), ...warnings.map((w) => `- ${w}`), ''] : []),
  ].join('\n');
  log(`\n${markdown}`);
  writeResult(RESULTS_FILE, markdown);
  writeSummary(SUMMARY_FILE, { bench: 'queue', at: startedAt.toISOString(), revision: revision(REPO_ROOT), figures: [...rendered.flatMap((r) => r.figures), ...(logCost?.figures ?? [])], problems, warnings: skipped ? [skipped, ...warnings] : warnings });
  log(`written to ${RESULTS_FILE}${profileDir ? `; CPU profiles in ${profileDir}` : ''}`);
  for (const r of rendered) for (const line of r.headline) log(`  ${line}`);
  if (logCost) log(`  ${logCost.headline}`);
  if (problems.length > 0) {
    console.error(`FAILED: ${problems.join('; ')}`);
    return 1;
  }
  return 0;
}

installSignalHandlers(stopAllWrk);
const exitCode = await main().catch((error: unknown) => {
  if (interrupted()) return 130;
  console.error('bench:queue failed:', error);
  return 1;
});
stopAllWrk();
await cleanUp();
process.exit(interrupted() ? 130 : exitCode);
