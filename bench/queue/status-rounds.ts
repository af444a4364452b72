/**
 * The status poll side by side with its baseline, in short rounds, so that the machine's drift
 * falls on both sides alike (a 10 s run against baselines before and after it moves with the
 * machine more than with the code). Each round runs wrk for a few seconds against each of three
 * servers in turn, the order turning every round:
 * - the bare baseline in its own process;
 * - the same bare answer served from inside the app's process (`bench/lib/queue-app.ts`): what the
 *   app's process costs any request — the runtime it shares with Fastify, the database client, the
 *   queue's timers — before any line of the status poll runs;
 * - the app's status poll.
 * Each gives the server's CPU per request; a round's ratios divide the baseline's by each, and
 * their medians are the figures: the status poll's [CPU-cost ratio], and the bound the app's
 * process alone puts on it.
 */
import type { ChildProcess } from 'node:child_process';
import { threadCpuSeconds } from '../lib/cpu.ts';
import { waitForMessage } from '../lib/processes.ts';
import { fmt, markdownTable } from '../lib/report.ts';
import { runWrk } from '../lib/wrk.ts';
import { TARGET_STATUS, log } from './config.ts';

export interface StatusRoundsOptions {
  rounds: number;
  seconds: number;
  threads: number;
  connections: number;
}

type Side = 'bare' | 'inApp' | 'status';

interface Run {
  requestsPerSecond: number;
  /** The server's CPU per request (µs), every thread of its process. */
  cpuMicros: number;
  errors: number;
}

export interface StatusRounds {
  options: StatusRoundsOptions;
  rounds: Record<Side, Run>[];
}

const SIDES: Side[] = ['bare', 'inApp', 'status'];

/** Runs the rounds: `app` is the bench's app (its bare answer started here), `bare` the baseline's process. */
export async function runStatusRounds(app: { child: ChildProcess; statusUrl: string }, bare: { child: ChildProcess; url: string }, bodyBytes: number, wrk: string, options: StatusRoundsOptions): Promise<StatusRounds> {
  const listening = waitForMessage<{ type: 'bare-in-app-listening'; port: number }>(app.child, 'bare-in-app-listening', 10_000);
  app.child.send({ type: 'bare-in-app', bytes: bodyBytes });
  const inApp = await listening;
  const targets: Record<Side, { pid: number; url: string }> = {
    bare: { pid: bare.child.pid!, url: bare.url },
    inApp: { pid: app.child.pid!, url: `http://127.0.0.1:${inApp.port}/` },
    status: { pid: app.child.pid!, url: app.statusUrl },
  };
  const run = async (side: Side, seconds: number): Promise<Run> => {
    const { pid, url } = targets[side];
    const before = threadCpuSeconds(pid);
    const result = await runWrk({ wrk, url, threads: options.threads, connections: options.connections, seconds });
    const after = threadCpuSeconds(pid);
    const cpu = before && after ? after.main + after.others - before.main - before.others : NaN;
    const errors = result.non2xx3xx + Object.values(result.socketErrors).reduce((a, b) => a + b, 0);
    return { requestsPerSecond: result.requestsPerSecond, cpuMicros: result.requests > 0 ? (cpu * 1e6) / result.requests : NaN, errors };
  };
  log(`  status side by side: ${options.rounds} rounds of ${options.seconds} s on each of bare, bare in the app's process, status`);
  for (const side of SIDES) await run(side, Math.min(2, options.seconds)); // warm-up, not counted
  const rounds: Record<Side, Run>[] = [];
  for (let i = 0; i < options.rounds; i++) {
    const order = SIDES.map((_, k) => SIDES[(k + i) % SIDES.length]!);
    const round = {} as Record<Side, Run>;
    for (const side of order) round[side] = await run(side, options.seconds);
    rounds.push(round);
  }
  return { options, rounds };
}

const median = (xs: number[]) => {
  const sorted = xs.filter(Number.isFinite).sort((a, b) => a - b);
  return sorted.length === 0 ? NaN : sorted.length % 2 ? sorted[(sorted.length - 1) / 2]! : (sorted[sorted.length / 2 - 1]! + sorted[sorted.length / 2]!) / 2;
};

/** The figures: medians of the rounds' ratios to the baseline (throughput, and CPU cost), for the status poll and for the bare answer in the app's process. */
export function statusRoundsFigures(r: StatusRounds): Record<'status' | 'inApp', { ratio: number; costRatio: number }> {
  const of = (side: 'status' | 'inApp') => ({
    ratio: median(r.rounds.map((round) => round[side].requestsPerSecond / round.bare.requestsPerSecond)),
    costRatio: median(r.rounds.map((round) => round.bare.cpuMicros / round[side].cpuMicros)),
  });
  return { status: of('status'), inApp: of('inApp') };
}

export function renderStatusRounds(r: StatusRounds): { markdown: string[]; problems: string[] } {
  const figures = statusRoundsFigures(r);
  const errors = r.rounds.reduce((sum, round) => sum + SIDES.reduce((a, side) => a + round[side].errors, 0), 0);
  const rows = r.rounds.map((round, i) => [
    String(i + 1),
    ...SIDES.map((side) => `${fmt(round[side].requestsPerSecond)}/s, ${round[side].cpuMicros.toFixed(1)} µs`),
    (round.bare.cpuMicros / round.inApp.cpuMicros).toFixed(2),
    (round.bare.cpuMicros / round.status.cpuMicros).toFixed(2),
  ]);
  const markdown = [
    `### The status poll side by side (${r.rounds.length} rounds of ${r.options.seconds} s each, the order turning)`,
    '',
    `**Status poll ${figures.status.ratio.toFixed(2)} [${figures.status.costRatio.toFixed(2)}]** of bare \`node:http\` (target ≥ ${TARGET_STATUS}), medians of the rounds' ratios [CPU-cost ratio]. The bare answer served from inside the app's process: ${figures.inApp.ratio.toFixed(2)} [${figures.inApp.costRatio.toFixed(2)}] — what the app's process costs any request before the status poll's own code runs.`,
    '',
    markdownTable(['round', 'bare (own process): req/s, CPU per request', "bare, in the app's process", 'status poll', 'CPU-cost ratio, bare in the app', 'CPU-cost ratio, status'], rows),
    '',
  ];
  return { markdown, problems: errors > 0 ? [`status rounds: ${fmt(errors)} errors (non-2xx or socket)`] : [] };
}
