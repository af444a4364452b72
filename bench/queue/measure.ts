/**
 * One measured path of bench:queue: a warm-up, then wrk for the timed run with the server's CPU,
 * event loop and (with --profile) V8 profile sampled from second 1 to second T−1, and the checks
 * that make a figure meaningless (non-2xx, socket errors, wrong statuses).
 */
import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Pool } from 'undici';
import { cpuBetween, snapshot, type CpuSnapshot, type CpuUse } from '../lib/cpu.ts';
import { summariseProfile, type ProfileSummary } from '../lib/cpu-profile.ts';
import { eventLoopBusy, eventLoopOf, waitForMessage, type Elu } from '../lib/processes.ts';
import { fmt } from '../lib/report.ts';
import { runWrk, type WrkResult } from '../lib/wrk.ts';
import { type Options, REPO_ROOT, TOKENS_LUA, log } from './config.ts';
import { answerKey, call } from './setup-calls.ts';

export type PathKey = 'baseline-before' | 'status' | 'baseline-between' | 'sign-in' | 'join-new' | 'join-repeat' | 'admission' | 'baseline-after';

export interface Measured {
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

export interface Target {
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

export interface MeasureSpec {
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

export interface Scenario {
  name: string;
  title: string;
  tmp: string;
  options: Options;
  wrk: string;
  profileDir: string | null;
  /** Extra CPU groups (PostgreSQL's and Redis's processes) for scale-out. */
  extraGroups: () => Record<string, { pids: number[]; comm?: string }>;
}

export function problemsOf(result: WrkResult, expected: number, label: string): string[] {
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

export async function measure(scenario: Scenario, target: Target, spec: MeasureSpec): Promise<Measured> {
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
export async function diagnose(spec: MeasureSpec): Promise<string> {
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
