/**
 * One setup of bench:queue (embedded, or PostgreSQL + Redis): the app, the bench campaign, the
 * bare node:http baseline, and every path in turn — status (and its rounds side by side with the
 * baseline), sign-in, join (new and repeat), admission — between baseline runs.
 */
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Pool } from 'undici';
import { forkTs, onCleanup, stopChild, waitForMessage } from '../lib/processes.ts';
import { fmt } from '../lib/report.ts';
import { runWrk, type WrkResult } from '../lib/wrk.ts';
import { ADMISSION, BENCH_DIR, JOIN_MARGIN, REPO_ROOT, SIGN_IN_LUA, TOKENS_LUA, log } from './config.ts';
import { type Measured, type Scenario, type Target, diagnose, measure, problemsOf } from './measure.ts';
import { type StatusRounds, runStatusRounds } from './status-rounds.ts';
import { answerKey, call, createBenchCampaign, createSessions, queueStatus, ticketsFor, waitForStatus } from './setup-calls.ts';

export interface ScenarioResult {
  scenario: Scenario;
  statusBytes: number;
  campaignId: string;
  measured: Measured[];
  sessions: { warmup: number; timed: number; seconds: number; perSecond: number };
  joinPlan: string[];
  tickets: { count: number; maxPosition: number; servingUpTo: number } | null;
  /** The status poll side by side with its baseline (`--status-rounds`), or null when skipped. */
  statusRounds: StatusRounds | null;
}

function writeTokens(file: string, tokens: string[]): string {
  writeFileSync(file, `${tokens.join('\n')}\n`);
  return file;
}

export async function runScenario(scenario: Scenario, appEnv: NodeJS.ProcessEnv): Promise<ScenarioResult> {
  const { options, tmp } = scenario;
  log(`\n== ${scenario.title} ==`);
  const t = performance.now();
  const app = forkTs(join(BENCH_DIR, 'lib', 'queue-app.ts'), { cwd: REPO_ROOT, env: appEnv, stdoutFile: join(tmp, 'app.log') });
  onCleanup(`stop the app (${scenario.name})`, () => stopChild(app));
  const { port } = await waitForMessage<{ type: 'listening'; port: number }>(app, 'listening', 180_000);
  const origin = `http://127.0.0.1:${port}`;
  log(`app: pid ${app.pid} on ${origin} (${((performance.now() - t) / 1000).toFixed(1)} s to start)`);
  app.once('exit', (code, signal) => {
    if (code !== 0 && signal !== 'SIGTERM') console.error(`app pid ${app.pid} exited (${code ?? signal})`);
  });

  const pool = new Pool(origin, { connections: 32 });
  onCleanup(`close the set-up client (${scenario.name})`, () => (pool.closed || pool.destroyed ? undefined : pool.destroy()));

  const campaignId = await createBenchCampaign(pool, appEnv.YEYAK_OPERATOR_KEY ?? '');
  const { bytes: statusBytes } = await queueStatus(pool, campaignId);
  log(`campaign ${campaignId}: open; admission ${JSON.stringify(ADMISSION)}; status document ${statusBytes} bytes`);

  const baseline = forkTs(join(BENCH_DIR, 'lib', 'bare-http.ts'), { cwd: REPO_ROOT, env: { ...process.env, BARE_BODY_BYTES: String(statusBytes), BARE_PORT: '0' } });
  onCleanup(`stop the baseline server (${scenario.name})`, () => stopChild(baseline));
  const bare = await waitForMessage<{ type: 'listening'; port: number; bodyBytes: number }>(baseline, 'listening', 30_000);
  log(`baseline: bare node:http, pid ${baseline.pid} on http://127.0.0.1:${bare.port}, ${bare.bodyBytes}-byte JSON body`);

  const appTarget: Target = { server: app, role: 'app', origin };
  const bareTarget: Target = { server: baseline, role: 'baseline' };
  const queuePath = `/api/v1/campaigns/${campaignId}/queue`;
  const measured: Measured[] = [];
  const wrkShape = `wrk -t${options.threads} -c${options.connections} -d${options.seconds}s --latency`;
  log(`\nmeasuring (${wrkShape}; ${options.warmup > 0 ? `${options.warmup} s warm-up before each, not counted` : 'no warm-up'})`);

  measured.push(await measure(scenario, bareTarget, { key: 'baseline-before', label: 'baseline (before)', request: `GET / on bare node:http (${bare.bodyBytes} bytes)`, url: `http://127.0.0.1:${bare.port}/`, expected: 200 }));
  measured.push(await measure(scenario, appTarget, { key: 'status', label: 'status', request: `GET ${queuePath}`, url: `${origin}${queuePath}`, expected: 200 }));
  // A baseline right after the status too: the status ratio, the one near its target, gets neighbours on both sides.
  measured.push(await measure(scenario, bareTarget, { key: 'baseline-between', label: 'baseline (between)', request: `GET / on bare node:http (${bare.bodyBytes} bytes)`, url: `http://127.0.0.1:${bare.port}/`, expected: 200 }));
  const statusRounds =
    options.statusRounds > 0
      ? await runStatusRounds({ child: app, statusUrl: `${origin}${queuePath}` }, { child: baseline, url: `http://127.0.0.1:${bare.port}/` }, bare.bodyBytes, scenario.wrk, { rounds: options.statusRounds, seconds: 3, threads: options.threads, connections: options.connections })
      : null;
  // Sign-in, a new person each time, each from an address of its own (the app trusts the bench as its balancer).
  measured.push(
    await measure(scenario, appTarget, {
      key: 'sign-in',
      label: 'sign-in (new people)',
      request: 'POST /api/v1/identity/dev, a new person from a new address (X-Forwarded-For) each time',
      url: `${origin}/api/v1/identity/dev`,
      expected: 201,
      script: { file: SIGN_IN_LUA, warmupArgs: ['1'], timedArgs: ['2'] },
    }),
  );

  // Join, new people: one distinct session per request. Sized from a warm-up with its own people.
  const runTag = randomBytes(3).toString('hex');
  const joinPlan: string[] = [];
  const warmCount = options.warmup > 0 ? 5000 : 0;
  let sessionSeconds = 0;
  let sessionCount = 0;
  let warmTokens: string[] = [];
  if (warmCount > 0) {
    const warm = await createSessions(pool, warmCount, 0, runTag);
    warmTokens = warm.tokens;
    sessionSeconds += warm.seconds;
    sessionCount += warm.tokens.length;
    log(`  ${fmt(warmCount)} sessions for the join warm-up in ${warm.seconds.toFixed(1)} s (${fmt(warmCount / warm.seconds)}/s)`);
  }
  const warmFile = warmCount > 0 ? writeTokens(join(tmp, `${scenario.name}-join-warm.tokens`), warmTokens) : undefined;
  let joinSeconds = options.seconds;
  let people: number;
  // The join warm-up, with people of its own (it would use up the timed run's); its rate sizes the crowd.
  let calibration: WrkResult | null = null;
  if (warmFile) {
    calibration = await runWrk({ wrk: scenario.wrk, url: `${origin}${queuePath}/tickets`, threads: options.threads, connections: options.connections, seconds: options.warmup, script: TOKENS_LUA, scriptArgs: [warmFile, String(options.threads), 'POST'] });
    const problems = problemsOf(calibration, 201, 'join (new people) warm-up');
    if (problems.length > 0) throw new Error(`${problems.join('; ')}\n${await diagnose({ key: 'join-new', label: 'join', request: '', url: `${origin}${queuePath}/tickets`, expected: 201, tokensFile: warmFile })}`);
  }
  if (options.people !== null) {
    people = options.people;
    joinPlan.push(`${fmt(people)} sessions for the timed join (--people)`);
  } else {
    const rate = calibration?.requestsPerSecond ?? 5000;
    const perSecond = sessionCount > 0 ? sessionCount / sessionSeconds : 1000;
    // Twice the warm-up's rate: a warmer app (JIT, pools) has been seen to join 2.3× faster than in its warm-up.
    people = Math.ceil(rate * JOIN_MARGIN * joinSeconds) + 2000;
    joinPlan.push(`warm-up join rate ${fmt(rate)}/s${calibration ? '' : ' (assumed: no warm-up)'} → ${fmt(people)} sessions for ${joinSeconds} s (${JOIN_MARGIN}× that rate + 2,000, to spare)`);
    if (people / perSecond > options.sessionBudget) {
      // Creating the crowd would take longer than the budget: fewer people, a shorter timed join.
      people = Math.max(2000, Math.floor(perSecond * options.sessionBudget));
      joinSeconds = Math.max(3, Math.min(options.seconds, Math.floor((people - 2000) / (rate * JOIN_MARGIN))));
      joinPlan.push(
        `creating sessions runs at ${fmt(perSecond)}/s: within the ${options.sessionBudget} s budget (--session-budget) that is ${fmt(people)} people, so the timed join runs ${joinSeconds} s instead of ${options.seconds} s`,
      );
    }
  }
  const main = await createSessions(pool, people, warmCount, runTag);
  sessionSeconds += main.seconds;
  sessionCount += main.tokens.length;
  log(`  ${fmt(people)} sessions for the timed join in ${main.seconds.toFixed(1)} s (${fmt(people / main.seconds)}/s)`);
  const joinFile = writeTokens(join(tmp, `${scenario.name}-join.tokens`), main.tokens);
  const joinNew = await measure(scenario, appTarget, {
    key: 'join-new',
    label: 'join (new people)',
    request: `POST ${queuePath}/tickets, a new person's session each time`,
    url: `${origin}${queuePath}/tickets`,
    expected: 201,
    tokensFile: joinFile,
    // The calibration was its warm-up (with people of its own); a warm-up here would use up people.
    warmedUp: true,
    seconds: joinSeconds,
  });
  const wraps = joinNew.wrk.scriptValues.wraps ?? 0;
  if (wraps > 0) joinNew.notes.push(`join (new people): the sessions ran out (${wraps} wrap-arounds): the 200s in the tally are repeats, and the rate mixes new and repeat joins; pass a larger --people`);
  measured.push(joinNew);

  // Join, the same person again and again (idempotent: 200, the same place). Joined once first.
  const repeatToken = main.tokens[0]!;
  const first = await call(pool, 'POST', `${queuePath}/tickets`, { authorization: `Bearer ${repeatToken}` });
  if (first.status !== 200 && first.status !== 201) throw new Error(`joining the repeat person answered ${answerKey(first)}: ${first.text.slice(0, 300)}`);
  const repeatFile = writeTokens(join(tmp, `${scenario.name}-join-repeat.tokens`), Array.from({ length: options.threads }, () => repeatToken));
  measured.push(
    await measure(scenario, appTarget, {
      key: 'join-repeat',
      label: 'join (repeat, same person)',
      request: `POST ${queuePath}/tickets, one person's session every time`,
      url: `${origin}${queuePath}/tickets`,
      expected: 200,
      tokensFile: repeatFile,
    }),
  );

  // Admission: tickets of people already in line, once the queue has served their places.
  const ticketSessions = main.tokens.slice(0, Math.min(options.tickets, main.tokens.length));
  const tickets = await ticketsFor(pool, campaignId, ticketSessions);
  const served = await waitForStatus(pool, campaignId, `servingUpTo ≥ ${tickets.maxPosition}`, (s) => s.servingUpTo >= tickets.maxPosition, 60_000);
  log(`  ${fmt(tickets.tickets.length)} tickets (places up to ${fmt(tickets.maxPosition)}) in ${tickets.seconds.toFixed(1)} s; servingUpTo ${fmt(served.servingUpTo)}`);
  const ticketFile = writeTokens(join(tmp, `${scenario.name}-admission.tokens`), tickets.tickets);
  measured.push(
    await measure(scenario, appTarget, {
      key: 'admission',
      label: 'admission',
      request: `POST /api/v1/campaigns/${campaignId}/admissions, ${fmt(tickets.tickets.length)} admitted people's tickets in turn`,
      url: `${origin}/api/v1/campaigns/${campaignId}/admissions`,
      expected: 201,
      tokensFile: ticketFile,
    }),
  );
  measured.push(await measure(scenario, bareTarget, { key: 'baseline-after', label: 'baseline (after)', request: `GET / on bare node:http (${bare.bodyBytes} bytes)`, url: `http://127.0.0.1:${bare.port}/`, expected: 200 }));

  await pool.close();
  await stopChild(baseline);
  await stopChild(app);
  return {
    scenario,
    statusBytes,
    campaignId,
    measured,
    sessions: { warmup: warmCount, timed: people, seconds: sessionSeconds, perSecond: sessionCount / sessionSeconds },
    joinPlan,
    tickets: { count: tickets.tickets.length, maxPosition: tickets.maxPosition, servingUpTo: served.servingUpTo },
    statusRounds,
  };
}
