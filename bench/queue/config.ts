/**
 * The settings of `npm run bench:queue`: where its files are, the targets, the bench campaign's
 * admission policy, and the command-line options.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { wholeNumberOption } from '../lib/options.ts';

export const BENCH_DIR = dirname(dirname(fileURLToPath(import.meta.url)));
export const REPO_ROOT = dirname(BENCH_DIR);
export const RESULTS_FILE = join(BENCH_DIR, 'results', 'queue-latest.md');
export const SUMMARY_FILE = join(BENCH_DIR, 'results', 'queue-latest.json');
export const TOKENS_LUA = join(BENCH_DIR, 'wrk', 'tokens.lua');
export const SIGN_IN_LUA = join(BENCH_DIR, 'wrk', 'sign-in.lua');
export const QUEUE_DB = 'yeyak_queue_bench';
/** The BRIEF §6 targets, as ratios to bare `node:http` in the same run. */
export const TARGET_STATUS = 0.9;
export const TARGET_JOIN = 0.5;
export const TARGET_SIGN_IN = 0.1;
/** Sessions for the timed join: this many times the warm-up's join rate × seconds (+ 2,000). */
export const JOIN_MARGIN = 2.5;
/** Admission policy of the bench campaign: the queue never holds anyone back for long. */
export const ADMISSION = { mode: 'fixed', ratePerSecond: 100_000, maxActive: 10_000_000 } as const;

export interface Options {
  seconds: number;
  warmup: number;
  threads: number;
  connections: number;
  people: number | null;
  tickets: number;
  sessionBudget: number;
  profile: boolean;
  /** Run the apps without the queue's transparency log (to compare with a run that keeps it). */
  withoutLog: boolean;
  /** Rounds of the log's cost to the join, on and off side by side (`bench/queue/log-cost.ts`); 0 skips it. */
  logCostRounds: number;
  /** Rounds of the status poll side by side with its baseline (`bench/queue/status-rounds.ts`), in each setup; 0 skips them. */
  statusRounds: number;
}

export function parseOptions(): Options {
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
      'without-log': { type: 'boolean' },
      'log-cost-rounds': { type: 'string' },
      'status-rounds': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) {
    console.log(
      'usage: npm run bench:queue -- [--seconds 10] [--warmup 2] [--threads 1] [--connections 64]\n' +
        '         [--people N] [--tickets 10000] [--session-budget 120] [--profile] [--without-log]\n' +
        '         [--log-cost-rounds 12] [--status-rounds 8]\n' +
        'With DATABASE_URL and REDIS_URL it also measures PostgreSQL + Redis. See bench/README.md.',
    );
    process.exit(0);
  }
  const int = wholeNumberOption;
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
    withoutLog: values['without-log'] === true,
    logCostRounds: int('log-cost-rounds', values['log-cost-rounds'], 12, 0),
    statusRounds: int('status-rounds', values['status-rounds'], 8, 0),
  };
}

export const log = (line: string) => console.log(line);
export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
