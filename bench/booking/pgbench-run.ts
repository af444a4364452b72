/**
 * The baseline of bench:booking: pgbench's TPC-B-like run on the same PostgreSQL, with its CPU and
 * write-ahead log per transaction.
 */
import { cpuBetween, snapshot, type CpuSnapshot, type CpuUse } from '../lib/cpu.ts';
import { runPgbench, serverPids, walBetween, walMark, type WalMark, startActivitySampler, type ActivityProfile, type PgbenchResult } from '../lib/postgres.ts';
import { fmt } from '../lib/report.ts';
import { type Options, PGBENCH_DB, log } from './config.ts';
import { walSpan } from './yeyak-run.ts';

export interface PgbenchRun {
  result: PgbenchResult;
  cpu: CpuUse | null;
  activity: ActivityProfile | null;
  /** WAL over the sampled span (second 1 to T−1). */
  wal: WalSpan | null;
}

export type WalSpan = ReturnType<typeof walBetween>;

/** pgbench -c/-j/-T with CPU sampled from second 1 to second T−1 (its backends exit at the end). */
export async function pgbenchRun(adminUrl: string, url: string, options: Options, label: string): Promise<PgbenchRun> {
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
