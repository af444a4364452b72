/**
 * What the queue's transparency log costs a new person's join (issue 22: within 10%), measured so
 * that the machine's drift falls on both sides alike. Two apps on the embedded default run side by
 * side with the same keys: one keeps the log (the default), one runs with `YEYAK_QUEUE_LOG=off`.
 * wrk joins new people on one, then on the other, in short slices, in the order A B, B A, A B …;
 * after each slice the app is left to finish what the slice left it (the log's sequencing and
 * writing, the journal) and its CPU is counted until it is idle, before the next slice starts. Each round gives a ratio of joins per second
 * and of CPU per join; their medians are the figures.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { Pool } from 'undici';
import { machineCpu, processCpuSeconds, threadsCpuSeconds, type ThreadKind } from '../lib/cpu.ts';
import type { ChildProcess } from 'node:child_process';
import { forkTs, onCleanup, stopChild, waitForMessage } from '../lib/processes.ts';
import { fmt, markdownTable } from '../lib/report.ts';
import type { BenchFigure } from '../lib/summary.ts';
import { runWrk } from '../lib/wrk.ts';
import { BENCH_DIR, REPO_ROOT, TOKENS_LUA, log, sleep } from './config.ts';
import { createBenchCampaign, createSessions } from './setup-calls.ts';

/** The least the join with the log keeps of the join without it (issue 22). */
const TARGET_LOG_COST = 0.9;
/** People per slice: the fastest slice's rate so far times this, and 1,000 more, so none runs out. */
const PEOPLE_MARGIN = 1.6;
/** People for each side's warm-up slice (not counted). */
const WARM_PEOPLE = 12_000;
/** After a slice, the app's CPU is counted until it stays under this share of a core for two samples: the work the slice left it. */
const IDLE_SHARE = 0.05;
const IDLE_SAMPLE_MS = 250;
/** The machine's CPUs, for the share of them the hypervisor took. */
const CORES = availableParallelism();
/** The most waited for an app to settle after a slice. */
const SETTLE_LIMIT_MS = 60_000;

export interface LogCostOptions {
  rounds: number;
  /** Where each side's first timed slice writes its CPU profile (`--profile`), or null. */
  profileDir: string | null;
  seconds: number;
  threads: number;
  connections: number;
}

interface Side {
  name: 'on' | 'off';
  app: ChildProcess;
  pid: number;
  origin: string;
  campaignId: string;
}

interface Slice {
  side: 'on' | 'off';
  joins: number;
  seconds: number;
  cpuSeconds: number;
  /** Of `cpuSeconds`: the main thread's (HTTP, the queue, the log's sequencing and hashing), and the other threads' (the embedded database's above all). */
  mainSeconds: number;
  otherSeconds: number;
  /** Of `cpuSeconds`, by thread (`ended`: threads that ended meanwhile), or null when unreadable. */
  threads: Record<ThreadKind | 'ended', number> | null;
  /** Seconds the hypervisor ran something else while this machine wanted a CPU, during the slice and its settling. */
  stealSeconds: number;
  wraps: number;
  statuses: Record<string, number>;
}

export interface LogCostResult {
  options: LogCostOptions;
  slices: Slice[][];
  /** New people each slice had (sized per round): the fewest and the most. */
  peoplePerSlice: { least: number; most: number };
  sessionsPerSecond: number;
}

async function startSide(name: 'on' | 'off', env: NodeJS.ProcessEnv, tmp: string, campaignId: string): Promise<Side & { pool: Pool }> {
  mkdirSync(env.YEYAK_DATA_DIR!, { recursive: true });
  const app = forkTs(join(BENCH_DIR, 'lib', 'queue-app.ts'), { cwd: REPO_ROOT, env, stdoutFile: join(tmp, `log-${name}.log`) });
  onCleanup(`stop the log-${name} app`, () => stopChild(app));
  const { port } = await waitForMessage<{ type: 'listening'; port: number }>(app, 'listening', 180_000);
  const origin = `http://127.0.0.1:${port}`;
  const pool = new Pool(origin, { connections: 32 });
  onCleanup(`close the log-${name} set-up client`, () => (pool.closed || pool.destroyed ? undefined : pool.destroy()));
  await createBenchCampaign(pool, env.YEYAK_OPERATOR_KEY ?? '', campaignId);
  return { name, app, pid: app.pid!, origin, campaignId, pool };
}

/** Waits until the app has finished what the last slice left it (its CPU near idle) and returns its CPU seconds then. */
async function settled(pid: number): Promise<number> {
  const deadline = performance.now() + SETTLE_LIMIT_MS;
  let last = processCpuSeconds(pid) ?? NaN;
  let quiet = 0;
  while (quiet < 2 && performance.now() < deadline) {
    await sleep(IDLE_SAMPLE_MS);
    const now = processCpuSeconds(pid) ?? NaN;
    quiet = (now - last) / (IDLE_SAMPLE_MS / 1000) < IDLE_SHARE ? quiet + 1 : 0;
    last = now;
  }
  return last;
}

async function slice(side: Side, tokens: string[], file: string, options: LogCostOptions, wrk: string, seconds: number, profileFile: string | null = null): Promise<Slice> {
  writeFileSync(file, `${tokens.join('\n')}\n`);
  if (profileFile) {
    const started = waitForMessage(side.app, 'profile-started', 10_000);
    side.app.send({ type: 'profile-start', intervalMicros: 500 });
    await started;
  }
  const cpuBefore = processCpuSeconds(side.pid) ?? NaN;
  const threadsBefore = threadsCpuSeconds(side.pid);
  const machineBefore = machineCpu();
  const result = await runWrk({
    wrk,
    url: `${side.origin}/api/v1/campaigns/${side.campaignId}/queue/tickets`,
    threads: options.threads,
    connections: options.connections,
    seconds,
    script: TOKENS_LUA,
    scriptArgs: [file, String(options.threads), 'POST'],
  });
  const cpuSeconds = (await settled(side.pid)) - cpuBefore;
  const threadsAfter = threadsCpuSeconds(side.pid);
  const machineAfter = machineCpu();
  if (profileFile) {
    const written = waitForMessage(side.app, 'profile-written', 60_000);
    side.app.send({ type: 'profile-stop', file: profileFile });
    await written;
    log(`  CPU profile of the log-${side.name} app's slice: ${profileFile}`);
  }
  const statuses = result.statuses ?? {};
  const threads = threadsBefore && threadsAfter ? (Object.fromEntries(Object.entries(threadsAfter).map(([k, v]) => [k, v - threadsBefore[k as keyof typeof threadsBefore]])) as Slice['threads']) : null;
  return {
    side: side.name,
    joins: statuses['201'] ?? 0,
    seconds: result.seconds,
    cpuSeconds,
    mainSeconds: threads ? threads.main : NaN,
    otherSeconds: threads ? Object.entries(threads).reduce((sum, [kind, seconds]) => (kind === 'main' ? sum : sum + seconds), 0) : NaN,
    threads,
    stealSeconds: machineBefore && machineAfter ? machineAfter.steal - machineBefore.steal : NaN,
    wraps: result.scriptValues.wraps ?? 0,
    statuses,
  };
}

/** Runs the comparison: `env` is an app's environment with the log on; the other side gets it off. */
export async function runLogCost(env: NodeJS.ProcessEnv, tmp: string, wrk: string, options: LogCostOptions): Promise<LogCostResult> {
  log(`\n== The queue log's cost to a new person's join: log on and off side by side, ${options.rounds} rounds of ${options.seconds} s each ==`);
  // The same campaign on both: a session made by either then joins on either alike.
  const campaignId = `qlog-${Date.now().toString(36)}`;
  const on = await startSide('on', { ...env, YEYAK_DATA_DIR: join(tmp, 'log-on') }, tmp, campaignId);
  const off = await startSide('off', { ...env, YEYAK_DATA_DIR: join(tmp, 'log-off'), YEYAK_QUEUE_LOG: 'off' }, tmp, campaignId);
  log(`apps: log on pid ${on.pid} (${on.origin}), log off pid ${off.pid} (${off.origin})`);

  // Both share the keys, so a session made by either joins on either; each is used once.
  const makeSessions = async (count: number, first: number) => {
    const halves = await Promise.all([createSessions(on.pool, Math.ceil(count / 2), first, 'lc'), createSessions(off.pool, Math.floor(count / 2), first + Math.ceil(count / 2), 'lc')]);
    return { tokens: halves.flatMap((h) => h.tokens), seconds: Math.max(...halves.map((h) => h.seconds)) };
  };
  let next = 0;
  let sessionSeconds = 0;
  const warm = await makeSessions(WARM_PEOPLE * 2, next);
  next += WARM_PEOPLE * 2;
  sessionSeconds += warm.seconds;
  const warmSlices = [
    await slice(on, warm.tokens.slice(0, WARM_PEOPLE), join(tmp, 'warm-on.tokens'), options, wrk, options.seconds),
    await slice(off, warm.tokens.slice(WARM_PEOPLE), join(tmp, 'warm-off.tokens'), options, wrk, options.seconds),
  ];
  // A slice that ran out of people went faster than it counted: its rate is at least all of them, and more.
  const rateOf = (s: Slice, people: number) => (s.wraps > 0 ? (people * PEOPLE_MARGIN) / s.seconds : s.joins / s.seconds);
  let fastest = Math.max(...warmSlices.map((s) => rateOf(s, WARM_PEOPLE)));

  const slices: Slice[][] = [];
  const peoplePerRound: number[] = [];
  for (let round = 0; round < options.rounds; round++) {
    // Sized by the fastest slice so far (a cold app's warm-up runs slower than it will), so no slice runs out of new people.
    const people = Math.ceil(fastest * PEOPLE_MARGIN * options.seconds) + 1000;
    const crowd = await makeSessions(people * 2, next);
    next += people * 2;
    sessionSeconds += crowd.seconds;
    await Promise.all([settled(on.pid), settled(off.pid)]);
    const order = round % 2 === 0 ? [on, off] : [off, on];
    const pair: Slice[] = [];
    for (const side of order) {
      const start = pair.length * people;
      const profileFile = round === 0 && options.profileDir ? join(options.profileDir, `log-${side.name}-join.cpuprofile`) : null;
      pair.push(await slice(side, crowd.tokens.slice(start, start + people), join(tmp, `round-${round}-${side.name}.tokens`), options, wrk, options.seconds, profileFile));
    }
    slices.push(pair);
    peoplePerRound.push(people);
    fastest = Math.max(fastest, ...pair.map((s) => rateOf(s, people)));
    const [a, b] = [pair.find((s) => s.side === 'on')!, pair.find((s) => s.side === 'off')!];
    log(`  round ${round + 1} (${fmt(people)} people a slice): on ${fmt(a.joins / a.seconds)}/s, off ${fmt(b.joins / b.seconds)}/s → ${(a.joins / a.seconds / (b.joins / b.seconds)).toFixed(2)}`);
  }
  await Promise.all([on.pool.close(), off.pool.close()]);
  return { options, slices, peoplePerSlice: { least: Math.min(...peoplePerRound), most: Math.max(...peoplePerRound) }, sessionsPerSecond: next / sessionSeconds };
}

/** The threads of `ThreadKind` as the report names them. */
const THREAD_NAMES: Record<Exclude<ThreadKind, 'main'> | 'ended', string> = {
  hashing: 'the log\'s hashing thread',
  database: 'the embedded database\'s thread',
  v8: 'V8\'s helpers (garbage collector, compiler)',
  workers: 'other worker threads',
  other: 'libuv\'s pool and the rest',
  ended: 'threads that ended',
};

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};

export function renderLogCost(r: LogCostResult): { markdown: string; figures: BenchFigure[]; warnings: string[]; headline: string } {
  const rows = r.slices.map((pair, i) => {
    const on = pair.find((s) => s.side === 'on')!;
    const off = pair.find((s) => s.side === 'off')!;
    const rate = (s: Slice) => s.joins / s.seconds;
    const cpuPerJoin = (s: Slice) => (s.cpuSeconds * 1e6) / s.joins;
    const perJoin = (seconds: number, s: Slice) => (seconds * 1e6) / s.joins;
    const stolen = (s: Slice) => `${((s.stealSeconds / (s.seconds * CORES)) * 100).toFixed(1)}%`;
    return {
      i,
      on,
      off,
      ratio: rate(on) / rate(off),
      costRatio: cpuPerJoin(off) / cpuPerJoin(on),
      cpuOn: cpuPerJoin(on),
      cpuOff: cpuPerJoin(off),
      rateOn: rate(on),
      rateOff: rate(off),
      threads: `${fmt(perJoin(on.mainSeconds, on))} + ${fmt(perJoin(on.otherSeconds, on))} / ${fmt(perJoin(off.mainSeconds, off))} + ${fmt(perJoin(off.otherSeconds, off))}`,
      steal: `${stolen(on)} / ${stolen(off)}`,
    };
  });
  const medianOf = (pick: (x: (typeof rows)[number]) => number) => median(rows.map(pick));
  const mainExtra = medianOf((x) => (x.on.mainSeconds * 1e6) / x.on.joins - (x.off.mainSeconds * 1e6) / x.off.joins);
  const otherExtra = medianOf((x) => (x.on.otherSeconds * 1e6) / x.on.joins - (x.off.otherSeconds * 1e6) / x.off.joins);
  // The other threads one by one: the hashing thread, the database's, V8's helpers, the rest.
  const kindExtra = (kind: ThreadKind | 'ended') => medianOf((x) => (x.on.threads && x.off.threads ? (x.on.threads[kind] * 1e6) / x.on.joins - (x.off.threads[kind] * 1e6) / x.off.joins : NaN));
  const byKind = (['hashing', 'database', 'v8', 'workers', 'other', 'ended'] as const).map((kind) => `${THREAD_NAMES[kind]} ${kindExtra(kind).toFixed(1)}`).join(', ');
  const ratio = median(rows.map((x) => x.ratio));
  const costRatio = median(rows.map((x) => x.costRatio));
  const pooledOn = rows.reduce((a, x) => a + x.on.joins, 0) / rows.reduce((a, x) => a + x.on.seconds, 0);
  const pooledOff = rows.reduce((a, x) => a + x.off.joins, 0) / rows.reduce((a, x) => a + x.off.seconds, 0);
  const warnings: string[] = [];
  const wrapped = r.slices.flat().filter((s) => s.wraps > 0).length;
  if (wrapped > 0) warnings.push(`log cost: ${wrapped} slices ran out of new people (their rate mixes in repeat joins)`);
  const other = r.slices.flat().reduce((a, s) => a + Object.entries(s.statuses).filter(([k]) => k !== '201').reduce((b, [, n]) => b + n, 0), 0);
  if (other > 0) warnings.push(`log cost: ${fmt(other)} joins answered other than 201`);
  const met = (x: number) => (x >= TARGET_LOG_COST ? 'yes' : '**no**');
  const markdown = [
    '## The queue log\'s cost to a new person\'s join (embedded, log on and off side by side)',
    '',
    `Two apps with the same keys, one keeping the queue's transparency log (the default) and one with \`YEYAK_QUEUE_LOG=off\`; wrk (\`-t${r.options.threads} -c${r.options.connections}\`) joins new people (${fmt(r.peoplePerSlice.least)}–${fmt(r.peoplePerSlice.most)} a slice, sized before each round by the fastest slice so far) on one and then the other, ${r.options.seconds} s each, in the order on–off, off–on, …; after each slice the app's CPU is counted until it is idle again (under ${IDLE_SHARE * 100}% of a core), for the work the slice left it (the log's sequencing and writing, the journal), and the next slice starts only then. Sessions made at ${fmt(r.sessionsPerSecond)}/s before each round, not measured.`,
    '',
    markdownTable(
      ['round', 'log on: joins/s', 'log off: joins/s', 'on ÷ off', 'CPU µs per join, on', 'off', 'CPU-cost ratio (off ÷ on)', 'µs per join, main + other threads: on / off', 'stolen by the hypervisor: on / off'],
      rows.map((x) => [String(x.i + 1), fmt(x.rateOn), fmt(x.rateOff), x.ratio.toFixed(2), fmt(x.cpuOn), fmt(x.cpuOff), x.costRatio.toFixed(2), x.threads, x.steal]),
    ),
    '',
    `- **Median on ÷ off: ${ratio.toFixed(2)}** of joins per second (target ≥ ${TARGET_LOG_COST}: ${met(ratio)}); over all rounds together ${fmt(pooledOn)} ÷ ${fmt(pooledOff)} = ${(pooledOn / pooledOff).toFixed(2)}.`,
    `- **Median CPU-cost ratio: ${costRatio.toFixed(2)}**: a join with the log costs the app ${(1 / costRatio).toFixed(2)}× the CPU of one without (${met(costRatio)}).`,
    `- By thread, the log's extra CPU per join (median over rounds): ${mainExtra.toFixed(1)} µs on the main thread (the sequencer's entries, their text, the tree's bookkeeping), ${otherExtra.toFixed(1)} µs on the others: ${byKind} µs (each a median over rounds, so they need not add up).`,
    '',
  ].join('\n');
  const figures: BenchFigure[] = [
    { setup: 'embedded, side by side', path: 'join (new people), log on ÷ off', value: pooledOn, unit: 'joins/s', baseline: pooledOff, baselineLabel: 'joins/s without the log', ratio, target: TARGET_LOG_COST, costRatio },
  ];
  return { markdown, figures, warnings, headline: `queue log: join on ÷ off median ${ratio.toFixed(2)}, CPU-cost ${costRatio.toFixed(2)} (target ≥ ${TARGET_LOG_COST})` };
}
