/**
 * The waiting room against a bare `node:http` server, in the same run (BRIEF §5–6: the waiting room
 * costs O(1) per waiter; shared status poll ≥ 0.8 and queue join ≥ 0.5 of bare node:http
 * throughput). Load from Debian's wrk (about 0.4 core), keep-alive, on 127.0.0.1 only.
 *
 *   npm run bench:queue -- [--seconds 10] [--warmup 2] [--threads 1] [--connections 64]
 *                          [--people N] [--tickets 10000] [--session-budget 120] [--profile]
 *
 * Always the embedded default (PGlite + in-process queue store); with DATABASE_URL and REDIS_URL
 * also PostgreSQL + Redis (a database `yeyak_queue_bench` is created on that server and dropped;
 * the campaign's Redis keys are deleted). See bench/README.md for how to read the figures.
 */
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import { Pool } from 'undici';
import { cpuBetween, snapshot, type CpuSnapshot, type CpuUse } from './lib/cpu.ts';
import { renderProfile, summariseProfile, type ProfileSummary } from './lib/cpu-profile.ts';
import { dropDatabase, recreateDatabase, serverPids, withDatabase } from './lib/postgres.ts';
import { cleanUp, eventLoopBusy, eventLoopOf, forkTs, installSignalHandlers, interrupted, onCleanup, stopChild, waitForMessage, type Elu } from './lib/processes.ts';
import { fmt, fmtCores, machineLine, markdownTable, revision, writeResult } from './lib/report.ts';
import { findWrk, runWrk, stopAllWrk, type WrkResult } from './lib/wrk.ts';
import { appEnvironment } from './lib/app-env.ts';
import { crowdAddress } from './lib/crowd-address.ts';
import { deleteCampaignKeys } from './lib/redis-keys.ts';
import { writeSummary, type BenchFigure } from './lib/summary.ts';

const BENCH_DIR = dirname(fileURLToPath(import.meta.url));
const REPO_ROOT = dirname(BENCH_DIR);
const RESULTS_FILE = join(BENCH_DIR, 'results', 'queue-latest.md');
const SUMMARY_FILE = join(BENCH_DIR, 'results', 'queue-latest.json');
const TOKENS_LUA = join(BENCH_DIR, 'wrk', 'tokens.lua');
const SIGN_IN_LUA = join(BENCH_DIR, 'wrk', 'sign-in.lua');
const QUEUE_DB = 'yeyak_queue_bench';
const TARGET_STATUS = 0.8;
const TARGET_JOIN = 0.5;
const TARGET_SIGN_IN = 0.1;
/** Sessions for the timed join: this many times the warm-up's join rate × seconds (+ 2,000). */
const JOIN_MARGIN = 2.5;
/** Admission policy of the bench campaign: the queue never holds anyone back for long. */
const ADMISSION = { mode: 'fixed', ratePerSecond: 100_000, maxActive: 10_000_000 } as const;

interface Options {
  seconds: number;
  warmup: number;
  threads: number;
  connections: number;
  people: number | null;
  tickets: number;
  sessionBudget: number;
  profile: boolean;
}

function parseOptions(): Options {
  const { values } = parseArgs({
    options: {
      seconds: { type: 'string' },
      warmup: { type: 'string' },
      threads: { type: 'string' },
      connections: { type: 'string' },
      people: { type: 'string' },
      tickets: { type: 'string' },
      'session-budget': { type: 'string' },
      profile: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) {
    console.log(
      'usage: npm run bench:queue -- [--seconds 10] [--warmup 2] [--threads 1] [--connections 64]\n' +
        '         [--people N] [--tickets 10000] [--session-budget 120] [--profile]\n' +
        'With DATABASE_URL and REDIS_URL it also measures PostgreSQL + Redis. See bench/README.md.',
    );
    process.exit(0);
  }
  const int = (name: string, raw: string | undefined, fallback: number, min: number): number => {
    if (raw === undefined) return fallback;
    if (!/^\d+$/.test(raw) || Number(raw) < min) throw new Error(`--${name} must be a whole number ≥ ${min}, got "${raw}"`);
    return Number(raw);
  };
  const threads = int('threads', values.threads, 1, 1);
  return {
    seconds: int('seconds', values.seconds, 10, 3),
    warmup: int('warmup', values.warmup, 2, 0),
    threads,
    connections: int('connections', values.connections, 64, threads),
    people: values.people === undefined ? null : int('people', values.people, 0, 1),
    tickets: int('tickets', values.tickets, 10_000, 1),
    sessionBudget: int('session-budget', values['session-budget'], 120, 5),
    profile: values.profile === true,
  };
}

const log = (line: string) => console.log(line);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// ---------------------------------------------------------------------------------------------
// HTTP set-up calls (not measured): operator API, identities, tickets.

interface Answer {
  status: number;
  text: string;
}

/**
 * One set-up request (not measured). A 503 — the app shedding load, as it does for a moment after
 * its start while its event loop is still catching up — is retried after its Retry-After, for up
 * to 30 s, as a client would.
 */
async function call(pool: Pool, method: 'GET' | 'POST', path: string, headers: Record<string, string> = {}, body?: unknown): Promise<Answer> {
  const deadline = performance.now() + 30_000;
  for (;;) {
    const { statusCode, headers: answerHeaders, body: stream } = await pool.request({
      path,
      method,
      headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await stream.text();
    if (statusCode !== 503 || performance.now() > deadline) return { status: statusCode, text };
    const retryAfter = Number(answerHeaders['retry-after']);
    await sleep(Math.min(5, Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter : 1) * 1000);
  }
}

/** `201` or `409 YEYAK_ERR_…` */
function answerKey({ status, text }: Answer): string {
  if (status < 400) return String(status);
  try {
    const code = (JSON.parse(text) as { error?: { code?: string }; code?: string }).error?.code ?? (JSON.parse(text) as { code?: string }).code;
    return code ? `${status} ${code}` : String(status);
  } catch {
    return String(status);
  }
}

/** Runs `work(i)` for i in [0, count) with `concurrency` in flight. */
async function inParallel(count: number, concurrency: number, work: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, count) }, async () => {
      while (next < count) await work(next++);
    }),
  );
}

interface Sessions {
  tokens: string[];
  seconds: number;
  statuses: Record<string, number>;
}

/** Verifies `count` distinct people through the development identity provider: one session each. */
async function createSessions(pool: Pool, count: number, firstIndex: number, runTag: string): Promise<Sessions> {
  const tokens: string[] = [];
  const statuses: Record<string, number> = {};
  const started = performance.now();
  await inParallel(count, 32, async (k) => {
    const i = firstIndex + k;
    // Adults of every birth day; name and phone make each one a different person.
    const birthDate = `${1950 + (i % 50)}-${String(1 + (Math.floor(i / 50) % 12)).padStart(2, '0')}-${String(1 + (Math.floor(i / 600) % 28)).padStart(2, '0')}`;
    const phone = `010-${String(Math.floor(i / 10_000) % 10_000).padStart(4, '0')}-${String(i % 10_000).padStart(4, '0')}`;
    const answer = await call(pool, 'POST', '/api/v1/identity/dev', { 'x-forwarded-for': crowdAddress(i, 100 + Math.floor(i / 65_536)) }, { name: `대기열${runTag}-${i}`, birthDate, phone });
    const key = answerKey(answer);
    statuses[key] = (statuses[key] ?? 0) + 1;
    if (answer.status === 201) tokens.push((JSON.parse(answer.text) as { session: string }).session);
  });
  const seconds = (performance.now() - started) / 1000;
  if (tokens.length < count) {
    throw new Error(`only ${tokens.length} of ${count} people could be verified (${JSON.stringify(statuses)})`);
  }
  return { tokens, seconds, statuses };
}

interface Tickets {
  tickets: string[];
  maxPosition: number;
  seconds: number;
}

/** Joins (or re-joins: idempotent) the queue for each session, keeping the signed tickets. */
async function ticketsFor(pool: Pool, campaignId: string, sessions: string[]): Promise<Tickets> {
  const tickets: string[] = [];
  const statuses: Record<string, number> = {};
  let maxPosition = 0;
  const started = performance.now();
  await inParallel(sessions.length, 32, async (i) => {
    const answer = await call(pool, 'POST', `/api/v1/campaigns/${campaignId}/queue/tickets`, { authorization: `Bearer ${sessions[i]}` });
    const key = answerKey(answer);
    statuses[key] = (statuses[key] ?? 0) + 1;
    if (answer.status === 200 || answer.status === 201) {
      const { ticket, position } = JSON.parse(answer.text) as { ticket: string; position: number | null };
      tickets.push(ticket);
      maxPosition = Math.max(maxPosition, position ?? Infinity);
    }
  });
  if (tickets.length < sessions.length) throw new Error(`only ${tickets.length} of ${sessions.length} joins gave a ticket (${JSON.stringify(statuses)})`);
  return { tickets, maxPosition, seconds: (performance.now() - started) / 1000 };
}

interface QueueStatus {
  state: string;
  servingUpTo: number;
  issuedUpTo: number;
}

async function queueStatus(pool: Pool, campaignId: string): Promise<{ status: QueueStatus; bytes: number }> {
  const answer = await call(pool, 'GET', `/api/v1/campaigns/${campaignId}/queue`);
  if (answer.status !== 200) throw new Error(`GET /api/v1/campaigns/${campaignId}/queue answered ${answerKey(answer)}: ${answer.text.slice(0, 300)}`);
  return { status: JSON.parse(answer.text) as QueueStatus, bytes: Buffer.byteLength(answer.text) };
}

/** Polls the status until `done` holds (every 100 ms) or fails after `timeoutMs`. */
async function waitForStatus(pool: Pool, campaignId: string, what: string, done: (s: QueueStatus) => boolean, timeoutMs: number): Promise<QueueStatus> {
  const deadline = performance.now() + timeoutMs;
  let last: QueueStatus | null = null;
  let lastError: unknown = null;
  while (performance.now() < deadline) {
    try {
      last = (await queueStatus(pool, campaignId)).status;
      if (done(last)) return last;
    } catch (error) {
      lastError = error;
    }
    await sleep(100);
  }
  throw new Error(`the queue did not reach "${what}" within ${timeoutMs} ms (last status ${JSON.stringify(last)}${lastError ? `, last error ${String(lastError)}` : ''})`);
}

// ---------------------------------------------------------------------------------------------
// Measurements.

type PathKey = 'baseline-before' | 'status' | 'baseline-between' | 'sign-in' | 'join-new' | 'join-repeat' | 'admission' | 'baseline-after';

interface Measured {
  key: PathKey;
  label: string;
  /** What each request does, for the report. */
  request: string;
  /** The status every answer must have. */
  expected: number;
  wrk: WrkResult;
  warmup: WrkResult | null;
  cpu: CpuUse | null;
  /** Event-loop busy share of the server under load (0–1). */
  elu: number | null;
  /** The server's longest event-loop stall in the timed window (ms); the app sheds load past 1 s. */
  stallMs: number | null;
  profile: (ProfileSummary & { file: string }) | null;
  /** What the busiest other processes were (pid → a short command line), read while they ran. */
  otherNames: Record<number, string>;
  /** Errors that make the figure meaningless (non-2xx, socket errors, wrong status). */
  problems: string[];
  notes: string[];
}

interface Target {
  server: ChildProcess;
  /** 'app' or 'baseline': the CPU group the server's pid goes to. */
  role: 'app' | 'baseline';
  /** The app's origin, to read its /metrics (requests it shed, by cause). */
  origin?: string;
}

/** The app's `yeyak_shed_requests_total` by cause, from its Prometheus /metrics (empty when it has none). */
async function shedCounts(origin: string | undefined): Promise<Record<string, number>> {
  if (!origin) return {};
  const pool = new Pool(origin, { connections: 1 });
  try {
    const { statusCode, body } = await pool.request({ path: '/metrics', method: 'GET' });
    const text = await body.text();
    if (statusCode !== 200) return {};
    const counts: Record<string, number> = {};
    for (const match of text.matchAll(/^yeyak_shed_requests_total\{cause="([^"]*)"\} (\d+(?:\.\d+)?)$/gm)) counts[match[1]!] = Number(match[2]);
    return counts;
  } catch {
    return {};
  } finally {
    await pool.close();
  }
}

interface MeasureSpec {
  key: PathKey;
  label: string;
  request: string;
  url: string;
  expected: number;
  /** Tokens for tokens.lua (one per request); none = plain wrk (a static GET). */
  tokensFile?: string;
  /** Another wrk script and the arguments of its warm-up and of its timed run (sign-in.lua: a run tag each). */
  script?: { file: string; warmupArgs: string[]; timedArgs: string[] };
  /** The path has had its warm-up already (the join calibration). */
  warmedUp?: boolean;
  seconds?: number;
}

interface Scenario {
  name: string;
  title: string;
  tmp: string;
  options: Options;
  wrk: string;
  profileDir: string | null;
  /** Extra CPU groups (PostgreSQL's and Redis's processes) for scale-out. */
  extraGroups: () => Record<string, { pids: number[]; comm?: string }>;
}

function problemsOf(result: WrkResult, expected: number, label: string): string[] {
  const problems: string[] = [];
  if (result.non2xx3xx > 0) {
    const tally = result.statuses ? ` (statuses: ${Object.entries(result.statuses).map(([s, n]) => `${s}: ${fmt(n)}`).join(', ')})` : '';
    problems.push(`${label}: ${fmt(result.non2xx3xx)} of ${fmt(result.requests)} answers were not 2xx/3xx${tally}`);
  }
  const { connect, read, write, timeout } = result.socketErrors;
  if (connect + read + write + timeout > 0) problems.push(`${label}: socket errors — connect ${connect}, read ${read}, write ${write}, timeout ${timeout}`);
  // wrk counts 3xx as success; the scripts' tally catches them (and 4xx/5xx a wrk without the line would miss).
  const unexpected = Object.entries(result.statuses ?? {}).filter(([s]) => Number(s) >= 300 && Number(s) < 400);
  if (unexpected.length > 0) problems.push(`${label}: redirects ${unexpected.map(([s, n]) => `${s} × ${fmt(n)}`).join(', ')} where ${expected} was expected`);
  return problems;
}

async function measure(scenario: Scenario, target: Target, spec: MeasureSpec): Promise<Measured> {
  const { options } = scenario;
  const seconds = spec.seconds ?? options.seconds;
  const base = {
    wrk: scenario.wrk,
    url: spec.url,
    threads: options.threads,
    connections: options.connections,
    ...(spec.tokensFile ? { script: TOKENS_LUA } : spec.script ? { script: spec.script.file } : {}),
  };
  const scriptArgs = (file: string | undefined, phase: 'warmupArgs' | 'timedArgs') =>
    file ? { scriptArgs: [file, String(options.threads), 'POST'] } : spec.script ? { scriptArgs: spec.script[phase] } : {};

  let warmup: WrkResult | null = null;
  if (options.warmup > 0 && !spec.warmedUp) {
    warmup = await runWrk({ ...base, seconds: options.warmup, ...scriptArgs(spec.tokensFile, 'warmupArgs') });
    const problems = problemsOf(warmup, spec.expected, `${spec.label} (warm-up)`);
    if (problems.length > 0) throw new Error(`${problems.join('; ')}\n${await diagnose(spec)}`);
  }

  const profileFile = scenario.profileDir && target.role === 'app' ? join(scenario.profileDir, `${scenario.name}-${spec.key}.cpuprofile`) : null;
  if (profileFile) {
    const started = waitForMessage(target.server, 'profile-started', 10_000);
    target.server.send({ type: 'profile-start', intervalMicros: 500 });
    await started;
  }
  const shedBefore = await shedCounts(target.origin);
  const samples: { start?: CpuSnapshot; end?: CpuSnapshot; eluStart?: Promise<Elu>; eluEnd?: Promise<Elu> } = {};
  const sample = (wrkPid: number) =>
    snapshot({
      [target.role]: { pids: [target.server.pid ?? 0] },
      wrk: { pids: [wrkPid] },
      bench: { pids: [process.pid] },
      ...scenario.extraGroups(),
    });
  const result = await runWrk({
    ...base,
    seconds,
    ...scriptArgs(spec.tokensFile, 'timedArgs'),
    onTick: (second, pid) => {
      // From second 1 to second T−1: wrk's connection set-up and its exit stay outside the window.
      if (second === 1) {
        samples.start = sample(pid);
        samples.eluStart = eventLoopOf(target.server);
      } else if (second === seconds - 1) {
        samples.end = sample(pid);
        samples.eluEnd = eventLoopOf(target.server);
      }
    },
  });
  let profile: Measured['profile'] = null;
  if (profileFile) {
    const written = waitForMessage(target.server, 'profile-written', 60_000);
    target.server.send({ type: 'profile-stop', file: profileFile });
    await written;
    profile = { ...summariseProfile(profileFile, REPO_ROOT), file: profileFile };
  }
  const [eluStart, eluEnd] = await Promise.all([samples.eluStart, samples.eluEnd]);
  const cpu = samples.start && samples.end ? cpuBetween(samples.start, samples.end) : null;
  const otherNames = Object.fromEntries((cpu?.others ?? []).map((o) => [o.pid, commandOf(o.pid, o.comm)]));
  const problems = problemsOf(result, spec.expected, spec.label);
  const notes: string[] = [];
  const shedAfter = await shedCounts(target.origin);
  const shed = Object.entries(shedAfter)
    .map(([cause, n]) => [cause, n - (shedBefore[cause] ?? 0)] as const)
    .filter(([, n]) => n > 0);
  if (shed.length > 0) notes.push(`${spec.label}: the app shed ${shed.map(([cause, n]) => `${fmt(n)} requests (cause: ${cause})`).join(', ')} with 503 during the timed run (its /metrics)`);
  if (result.statuses) {
    const other = Object.entries(result.statuses).filter(([s]) => Number(s) !== spec.expected && Number(s) < 400);
    if (other.length > 0) notes.push(`${spec.label}: ${other.map(([s, n]) => `${fmt(n)} × ${s}`).join(', ')} besides the expected ${spec.expected}`);
  }
  if (problems.length > 0) notes.push(await diagnose(spec));
  const measured: Measured = {
    key: spec.key,
    label: spec.label,
    request: spec.request,
    expected: spec.expected,
    wrk: result,
    warmup,
    cpu,
    otherNames,
    elu: eluStart && eluEnd ? eventLoopBusy(eluStart, eluEnd) : null,
    stallMs: eluEnd?.delayMaxMs ?? null,
    profile,
    problems,
    notes,
  };
  const lat = result.latency;
  log(
    `  ${spec.label.padEnd(28)} ${fmt(result.requestsPerSecond).padStart(8)} req/s  p50 ${lat ? lat.p50.toFixed(2) : '?'} ms  p99 ${lat ? lat.p99.toFixed(2) : '?'} ms` +
      `${result.statuses ? `  [${Object.entries(result.statuses).map(([s, n]) => `${s}: ${fmt(n)}`).join(', ')}]` : ''}` +
      `${result.non2xx3xx > 0 ? `  NON-2xx: ${fmt(result.non2xx3xx)}` : ''}` +
      `${measured.stallMs !== null && measured.stallMs >= 100 ? `  longest event-loop stall ${fmt(measured.stallMs)} ms` : ''}`,
  );
  return measured;
}

/** A short name for another process on the machine — its script (`src/server.ts`, `vitest/dist/workers/forks.js`) — or its comm. */
function commandOf(pid: number, comm: string): string {
  try {
    const args = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter((a) => a !== '');
    const script = args.length > 1 ? args[args.length - 1]! : (args[0] ?? comm);
    const name = script.startsWith('-') ? (args[0] ?? comm) : script;
    return `${name.replace(/^.*node_modules\//, '').replace(`${REPO_ROOT}/`, '').slice(0, 48)} (pid ${pid})`;
  } catch {
    return `${comm} (pid ${pid})`;
  }
}

/** After errors: one request of the same kind, to show what the server answers. */
async function diagnose(spec: MeasureSpec): Promise<string> {
  try {
    const url = new URL(spec.url);
    const pool = new Pool(url.origin, { connections: 1 });
    try {
      const token = spec.tokensFile ? readFileSync(spec.tokensFile, 'utf8').split('\n')[0] : undefined;
      const answer = await call(pool, spec.tokensFile ? 'POST' : 'GET', url.pathname, token ? { authorization: `Bearer ${token}` } : {});
      // Error bodies only: a success carries a credential (ticket, admission) that has no place in a report.
      return `a probe of ${url.pathname} now answers ${answerKey(answer)}${answer.status >= 400 ? `: ${answer.text.slice(0, 300)}` : ''}`;
    } finally {
      await pool.close();
    }
  } catch (error) {
    return `the probe failed: ${String(error)}`;
  }
}

interface ScenarioResult {
  scenario: Scenario;
  statusBytes: number;
  campaignId: string;
  measured: Measured[];
  sessions: { warmup: number; timed: number; seconds: number; perSecond: number };
  joinPlan: string[];
  tickets: { count: number; maxPosition: number; servingUpTo: number } | null;
}

function writeTokens(file: string, tokens: string[]): string {
  writeFileSync(file, `${tokens.join('\n')}\n`);
  return file;
}

async function runScenario(scenario: Scenario, appEnv: NodeJS.ProcessEnv): Promise<ScenarioResult> {
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

  // The campaign, through the operator API: an open window now, admission as fast as it goes.
  const campaignId = `qbench-${Date.now().toString(36)}`;
  const now = Date.now();
  const created = await call(
    pool,
    'POST',
    '/api/v1/admin/campaigns',
    { authorization: `Bearer ${appEnv.YEYAK_OPERATOR_KEY}` },
    {
      id: campaignId,
      name: 'Waiting-room bench',
      cohort: { bornFrom: '1940-01-01', bornTo: '2005-12-31' },
      vaccine: { name: 'bench-vaccine', doses: 2, intervalDays: 21 },
      queueOpensAt: new Date(now - 2 * 3600_000).toISOString(),
      windows: [{ id: 'open', kind: 'open', opensAt: new Date(now - 3600_000).toISOString(), closesAt: new Date(now + 24 * 3600_000).toISOString(), birthDayDigits: null }],
      proxyAllowed: false,
      admission: ADMISSION,
    },
  );
  if (created.status !== 201) throw new Error(`creating the campaign answered ${answerKey(created)}: ${created.text.slice(0, 500)}`);
  await waitForStatus(pool, campaignId, 'open', (s) => s.state === 'open', 15_000);
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
  };
}

// ---------------------------------------------------------------------------------------------
// Report.

const TARGETS: Partial<Record<PathKey, number>> = { status: TARGET_STATUS, 'sign-in': TARGET_SIGN_IN, 'join-new': TARGET_JOIN, 'join-repeat': TARGET_JOIN };

const isBaseline = (m: Measured) => m.key.startsWith('baseline');

/** Requests/s that count: for new people only the 201s (a 200 there is a repeat), else every answer. */
function rateOf(m: Measured): number {
  if (m.key === 'join-new' && m.wrk.statuses) return (m.wrk.statuses['201'] ?? 0) / m.wrk.seconds;
  return m.wrk.requestsPerSecond;
}

function renderScenario(r: ScenarioResult): { markdown: string; problems: string[]; warnings: string[]; headline: string[]; figures: BenchFigure[] } {
  const problems = r.measured.flatMap((m) => m.problems);
  const warnings = r.measured.flatMap((m) => m.notes);
  const baselines = r.measured.filter(isBaseline);
  for (let i = 1; i < baselines.length; i++) {
    const [a, b] = [baselines[i - 1]!, baselines[i]!];
    const drift = (b.wrk.requestsPerSecond - a.wrk.requestsPerSecond) / a.wrk.requestsPerSecond;
    if (Math.abs(drift) > 0.25) warnings.push(`the baseline moved ${(drift * 100).toFixed(0)}% from "${a.label}" to "${b.label}": the machine was not steady (see "everything else" in the CPU table); trust the CPU-cost ratios more, or rerun`);
  }
  const server = (m: Measured) => m.cpu?.groups[isBaseline(m) ? 'baseline' : 'app'] ?? null;
  // Server + load generator (+ PostgreSQL + Redis) CPU per request: what a request costs with the machine to itself.
  const costMs = (m: Measured) => {
    const s = server(m);
    const w = m.cpu?.groups.wrk ?? null;
    const extra = Object.entries(m.cpu?.groups ?? {}).filter(([g]) => g === 'postgres' || g === 'redis').reduce((a, [, v]) => a + (v ?? 0), 0);
    return s === null || w === null || !(m.wrk.requestsPerSecond > 0) ? null : ((s + w + extra) * 1000) / m.wrk.requestsPerSecond;
  };
  const mean = (xs: number[]) => (xs.length > 0 ? xs.reduce((a, b) => a + b, 0) / xs.length : null);
  /** The baseline runs just before and just after a path: its reference. */
  const neighbours = (m: Measured) => {
    const i = r.measured.indexOf(m);
    const before = r.measured.slice(0, i).reverse().find(isBaseline);
    const after = r.measured.slice(i + 1).find(isBaseline);
    return [before, after].filter((x): x is Measured => x !== undefined);
  };

  const headline: string[] = [];
  const figures: BenchFigure[] = [];
  const rows = r.measured.map((m) => {
    const lat = m.wrk.latency;
    const errors = m.wrk.non2xx3xx + Object.values(m.wrk.socketErrors).reduce((a, b) => a + b, 0);
    const s = server(m);
    const common = [
      lat ? `${lat.p50.toFixed(2)} ms` : 'n/a',
      lat ? `${lat.p99.toFixed(2)} ms` : 'n/a',
      errors === 0 ? '0' : `**${fmt(errors)}**`,
      fmtCores(s),
      fmtCores(m.cpu?.groups.wrk),
      s !== null && m.wrk.requestsPerSecond > 0 ? `${((s * 1e6) / m.wrk.requestsPerSecond).toFixed(0)} µs` : 'n/a',
      m.elu === null || !Number.isFinite(m.elu) ? 'n/a' : `${(m.elu * 100).toFixed(0)}%`,
      m.stallMs === null ? 'n/a' : `${fmt(m.stallMs)} ms`,
    ];
    if (isBaseline(m)) return [m.label, fmt(m.wrk.requestsPerSecond), '–', '–', '–', ...common, '–'];
    const refs = neighbours(m);
    const reference = mean(refs.map((b) => b.wrk.requestsPerSecond))!;
    const ratio = rateOf(m) / reference;
    const target = TARGETS[m.key];
    const cost = costMs(m);
    const refCost = mean(refs.map(costMs).filter((c): c is number => c !== null));
    const costRatio = cost !== null && refCost !== null ? refCost / cost : null;
    figures.push({ setup: r.scenario.name, path: m.label, value: rateOf(m), unit: 'req/s', baseline: reference, baselineLabel: 'bare node:http req/s', ratio, target: target ?? null, costRatio });
    headline.push(
      `${r.scenario.name} ${m.label}: ${fmt(rateOf(m))} req/s = ${ratio.toFixed(2)} of baseline${target === undefined ? '' : ` (target ≥ ${target}: ${ratio >= target ? 'met' : 'NOT met'})`}` +
        `${costRatio === null ? '' : `; CPU-cost ratio ${costRatio.toFixed(2)}`}`,
    );
    return [
      `**${m.label}**`,
      fmt(rateOf(m)),
      `**${ratio.toFixed(2)}** (of ${fmt(reference)})`,
      target === undefined ? '–' : `≥ ${target}`,
      target === undefined ? '–' : ratio >= target ? 'yes' : '**no**',
      ...common,
      costRatio === null ? 'n/a' : costRatio.toFixed(2),
    ];
  });
  const table = markdownTable(
    ['path', 'req/s', 'ratio to baseline', 'target', 'met?', 'p50', 'p99', 'errors (non-2xx, socket)', 'server CPU (cores)', 'wrk CPU (cores)', 'server CPU per request', 'server event loop busy', 'longest event-loop stall', 'CPU-cost ratio'],
    rows,
  );

  const extraGroups = [...new Set(r.measured.flatMap((m) => Object.keys(m.cpu?.groups ?? {})))].filter((g) => g === 'postgres' || g === 'redis');
  const cpuRows = r.measured.map((m) => {
    const c = m.cpu;
    if (!c) return [m.label, 'n/a', 'n/a', 'n/a', ...extraGroups.map(() => 'n/a'), 'n/a', 'n/a'];
    const known = (server(m) ?? 0) + (c.groups.wrk ?? 0) + (c.groups.bench ?? 0) + extraGroups.reduce((a, g) => a + (c.groups[g] ?? 0), 0);
    const other = c.machineBusyCores === null ? null : c.machineBusyCores - known;
    return [
      m.label,
      `${fmtCores(c.machineBusyCores)} of ${fmtCores(c.machineCores)}`,
      fmtCores(server(m)),
      fmtCores(c.groups.wrk),
      ...extraGroups.map((g) => fmtCores(c.groups[g])),
      fmtCores(other),
      c.others.slice(0, 3).map((o) => `${m.otherNames[o.pid] ?? o.comm} ${o.cores.toFixed(2)}`).join(', ') || '–',
    ];
  });
  const cpuTable = markdownTable(['path', 'machine busy', 'server (app or bare)', 'wrk', ...extraGroups.map((g) => (g === 'postgres' ? 'PostgreSQL' : 'Redis')), 'everything else', 'busiest others'], cpuRows);

  const statusLines = r.measured
    .filter((m) => m.wrk.statuses)
    .map((m) => `- ${m.label}: ${Object.entries(m.wrk.statuses!).map(([s, n]) => `${s} × ${fmt(n)}`).join(', ')}${m.key === 'join-new' && m.wrk.scriptValues.wraps ? ` (**${m.wrk.scriptValues.wraps} wrap-arounds: sessions repeated**)` : ''}${m.wrk.scriptValues.tokens === undefined ? '' : `; ${fmt(m.wrk.scriptValues.tokens)} tokens loaded`}`);

  const profileLines = r.measured.flatMap((m) => (m.profile ? renderProfile(m.label, m.profile) : []));

  const md = [
    `## ${r.scenario.title}`,
    '',
    `Baseline: bare \`node:http\` in its own process, a ${r.statusBytes}-byte JSON body (the status document's size), measured before, between and after the app's paths; each path's ratio is to the mean of the baseline runs just before and just after it (shown in brackets).`,
    '',
    table,
    '',
    ...r.measured.filter((m) => !m.key.startsWith('baseline')).map((m) => `- **${m.label}**: ${m.request}; ${m.wrk.seconds.toFixed(1)} s, ${fmt(m.wrk.requests)} requests.`),
    `- Campaign \`${r.campaignId}\` created through \`POST /api/v1/admin/campaigns\`: one open window now, admission \`${JSON.stringify(ADMISSION)}\`.`,
    `- Sessions: ${fmt(r.sessions.warmup)} (join warm-up) + ${fmt(r.sessions.timed)} (timed join) distinct people through \`POST /api/v1/identity/dev\` at ${fmt(r.sessions.perSecond)}/s (${r.sessions.seconds.toFixed(1)} s). ${r.joinPlan.join('; ')}.`,
    ...(r.tickets ? [`- Admission tickets: ${fmt(r.tickets.count)} people re-joined for their tickets (places up to ${fmt(r.tickets.maxPosition)}, servingUpTo ${fmt(r.tickets.servingUpTo)} when the run started); each admitted on its first request, re-admitted (same admission, new token) on the next rounds.`] : []),
    '',
    '### Status codes (tallied by bench/wrk/tokens.lua)',
    '',
    ...statusLines,
    '',
    '### CPU (average cores in use, seconds 1 to T−1 of each timed run)',
    '',
    cpuTable,
    '',
    ...(profileLines.length > 0 ? ['### CPU profiles of the app (V8 sampling profiler, 500 µs; it slows the app a little)', '', ...profileLines] : []),
  ].join('\n');
  return { markdown: md, problems, warnings, headline, figures };
}

// ---------------------------------------------------------------------------------------------

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
  const embeddedDir = join(tmp, 'embedded');
  mkdirSync(embeddedDir);
  scenarios.push({
    scenario: { name: 'embedded', title: 'Embedded default (PGlite, in-process queue store), one process', tmp: embeddedDir, options, wrk: wrk.path, profileDir, extraGroups: () => ({}) },
    env: appEnvironment(embeddedDir, {}),
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
      env: appEnvironment(scaleDir, { DATABASE_URL: dbUrl, REDIS_URL: redisUrl }),
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
  const problems = rendered.flatMap((r) => r.problems);
  const warnings = rendered.flatMap((r) => r.warnings);
  const argv = process.argv.slice(2);
  const markdown = [
    '# Waiting room vs bare node:http',
    '',
    `Run ${startedAt.toISOString()} · \`npm run bench:queue${argv.length > 0 ? ` -- ${argv.join(' ')}` : ''}\` · code ${revision(REPO_ROOT)} · ${machineLine()} · wrk ${wrk.version}, \`-t${options.threads} -c${options.connections} -d${options.seconds}s --latency\`, keep-alive, 127.0.0.1`,
    '',
    `Targets (BRIEF §6): shared status poll ≥ ${TARGET_STATUS} and queue join ≥ ${TARGET_JOIN} of bare \`node:http\` throughput in the same run; admission has none (reported). ` +
      'Ratios only mean something within one run: absolute figures on a small shared machine swing up to 2×.',
    '',
    ...rendered.map((r) => r.markdown),
    ...(skipped ? [`_${skipped}._`, ''] : []),
    ...(warnings.length + problems.length > 0 ? ['## Warnings', '', ...problems.map((p) => `- **${p}**`), ...warnings.map((w) => `- ${w}`), ''] : []),
  ].join('\n');
  log(`\n${markdown}`);
  writeResult(RESULTS_FILE, markdown);
  writeSummary(SUMMARY_FILE, { bench: 'queue', at: startedAt.toISOString(), revision: revision(REPO_ROOT), figures: rendered.flatMap((r) => r.figures), problems, warnings: skipped ? [skipped, ...warnings] : warnings });
  log(`written to ${RESULTS_FILE}${profileDir ? `; CPU profiles in ${profileDir}` : ''}`);
  for (const r of rendered) for (const line of r.headline) log(`  ${line}`);
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
