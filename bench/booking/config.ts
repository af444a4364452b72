/**
 * The settings of `npm run bench:booking`: its files, databases, target and the bench
 * campaign's admission policy, and the command-line options.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { AdmissionPolicy } from '../../src/modules/campaigns/campaign.ts';
import { wholeNumberOption } from '../lib/options.ts';

/** BRIEF §6: a full booking at 80% of pgbench TPC-B's throughput on the same PostgreSQL in the same run. */
export const TARGET_RATIO = 0.8;
/** The most write-ahead log a booking may write, in kB (issue 21: pgbench's TPC-B transaction writes about 0.5). */
export const WAL_TARGET_KB = 3;
/**
 * Admission policy of the bench campaign: the waiting room admits as fast as it is asked, so it is
 * not what limits a booking-throughput bench (everyone is admitted before the timed run anyway).
 */
export const ADMISSION: AdmissionPolicy = { mode: 'fixed', ratePerSecond: 100_000, maxActive: 10_000_000 };
export const YEYAK_DB = 'yeyak_bench';
export const PGBENCH_DB = 'pgbench_bench';
export const BENCH_DIR = dirname(dirname(fileURLToPath(import.meta.url)));
export const REPO_ROOT = dirname(BENCH_DIR);
/** The report's name: `booking`, or `booking-own-cores` for a run with `--database-cpus`. */
function resultsName(options: Pick<Options, 'databaseCpus'>): string {
  return options.databaseCpus === null ? 'booking' : 'booking-own-cores';
}
export const resultsFile = (options: Pick<Options, 'databaseCpus'>) => join(BENCH_DIR, 'results', `${resultsName(options)}-latest.md`);
export const summaryFile = (options: Pick<Options, 'databaseCpus'>) => join(BENCH_DIR, 'results', `${resultsName(options)}-latest.json`);

export interface Options {
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
  /**
   * CPUs for the PostgreSQL server alone (e.g. "0"), the app, load generator and pgbench on the
   * others: a database server with cores of its own, as deployed. Null: everyone shares every CPU.
   */
  databaseCpus: string | null;
}

export function parseOptions(): Options {
  const { values } = parseArgs({
    options: {
      seconds: { type: 'string' },
      warmup: { type: 'string' },
      concurrency: { type: 'string' },
      apps: { type: 'string' },
      'no-idempotency-keys': { type: 'boolean' },
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
      'database-cpus': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) {
    console.log(
      'usage: npm run bench:booking -- [--seconds 20] [--warmup 2] [--concurrency 48] [--apps 1]\n' +
        '         [--no-idempotency-keys] [--clinics 2000] [--people N] [--db-pool 10] [--scale 10]\n' +
        '         [--pgbench-clients 16] [--pgbench-threads 2] [--no-pgbench-after] [--port 55433]\n' +
        '         [--profile] [--statements] [--database-cpus 0]\n' +
        'See bench/README.md.',
    );
    process.exit(0);
  }
  const int = wholeNumberOption;
  return {
    seconds: int('seconds', values.seconds, 20, 1),
    warmup: int('warmup', values.warmup, 2, 0),
    concurrency: int('concurrency', values.concurrency, 48, 1),
    apps: int('apps', values.apps, 1, 1),
    // The citizen site sends a fresh Idempotency-Key with every booking: so does the bench, unless told not to.
    idempotencyKeys: values['no-idempotency-keys'] !== true,
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
    databaseCpus: values['database-cpus'] ?? null,
  };
}

export function log(line: string): void {
  console.log(line);
}
