/**
 * `npm run bench` — the BRIEF §6 table in one run: `bench:queue` (shared status, join, admission
 * against a bare node:http server under wrk) and then `bench:booking` (full booking against
 * pgbench TPC-B-like on the same PostgreSQL) twice, sharing every CPU and with the server on CPU 0
 * alone (`--database-cpus 0`), each as its own process with its own clean-up, and
 * then one table of every ratio against its target in bench/results/latest.md, linking the two
 * detailed reports. Options after `--` go to both (`--seconds 20`); `--queue.X v` or `--booking.X v` to one
 * only (`--booking.clinics 500`). A missed target exits 0;
 * a bench that failed (or broke a promise while measured) makes this exit 1.
 */
import { spawn } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fmt, machineLine, markdownTable, revision, writeResult } from './lib/report.ts';
import { readSummary, type BenchSummary } from './lib/summary.ts';

const BENCH_DIR = dirname(fileURLToPath(import.meta.url));
const REPO_ROOT = dirname(BENCH_DIR);
const RESULTS = join(BENCH_DIR, 'results');

/** Runs one bench script to completion with this Node and tsx, its output on ours. */
function runBench(script: string, args: string[]): Promise<number> {
  return new Promise((resolveRun, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(BENCH_DIR, script), ...args], { cwd: REPO_ROOT, stdio: 'inherit' });
    child.once('error', reject);
    child.once('exit', (code, signal) => resolveRun(code ?? (signal ? 128 : 1)));
  });
}

/**
 * Splits the arguments: `--queue.X v` goes to bench:queue only (as `--X v`), `--booking.X v` to
 * bench:booking only, anything else to both.
 */
function routeArgs(args: string[]): { queue: string[]; booking: string[] } {
  const out = { queue: [] as string[], booking: [] as string[] };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    const match = /^--(queue|booking)\.(.+)$/.exec(arg);
    const value = args[i + 1] !== undefined && !args[i + 1]!.startsWith('--') ? [args[++i]!] : [];
    if (match) out[match[1] as 'queue' | 'booking'].push(`--${match[2]}`, ...value);
    else {
      out.queue.push(arg, ...value);
      out.booking.push(arg, ...value);
    }
  }
  return out;
}

/** A bench's summary if it was written by this run (not a stale one from before). */
function freshSummary(name: string, since: Date): BenchSummary | null {
  try {
    const summary = readSummary(join(RESULTS, `${name}-latest.json`));
    return new Date(summary.at) >= since ? summary : null;
  } catch {
    return null;
  }
}

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  const routed = routeArgs(args);
  const startedAt = new Date();
  // Forward Ctrl-C to the children only: each cleans up its own servers and databases.
  process.on('SIGINT', () => {});
  console.log('npm run bench: 1/3 bench:queue (waiting room vs bare node:http)…');
  const queueExit = await runBench('queue.ts', routed.queue);
  console.log('\nnpm run bench: 2/3 bench:booking (full booking vs pgbench, every process on every CPU)…');
  const bookingExit = await runBench('booking.ts', routed.booking);
  // The same with the server on CPUs of its own, as a database server is deployed: the app and the
  // clients then take none of its CPU, and the ratio compares the database work of the two.
  const ownCores = availableParallelism() >= 2;
  console.log(ownCores ? '\nnpm run bench: 3/3 bench:booking -- --database-cpus 0 (PostgreSQL on CPU 0 alone)…' : '\nnpm run bench: 3/3 skipped: one CPU, none to give the server alone');
  const ownCoresExit = ownCores ? await runBench('booking.ts', [...routed.booking, '--database-cpus', '0']) : 0;

  const benches = ['queue', 'booking', ...(ownCores ? ['booking-own-cores'] : [])];
  const exits = [queueExit, bookingExit, ownCoresExit];
  const summaries = benches.map((name) => freshSummary(name, startedAt));
  const rows = summaries.flatMap((s) =>
    (s?.figures ?? []).map((f) => [
      f.path,
      f.setup,
      `${fmt(f.value, f.digits)} ${f.unit}`,
      `${fmt(f.baseline, f.digits)} ${f.baselineLabel}`,
      `**${f.ratio.toFixed(2)}**`,
      f.atMost !== undefined ? `≤ ${fmt(f.atMost, f.digits)} ${f.unit}` : f.target === null ? '–' : `≥ ${f.target}`,
      f.atMost !== undefined ? (f.value <= f.atMost ? 'yes' : '**no**') : f.target === null ? '–' : f.ratio >= f.target ? 'yes' : '**no**',
      f.costRatio === null ? 'n/a' : f.costRatio.toFixed(2),
    ]),
  );
  const problems = summaries.flatMap((s) => s?.problems ?? []);
  const warnings = summaries.flatMap((s) => s?.warnings ?? []);
  const missing = benches.flatMap((name, i) => (summaries[i] === null ? [`${name} wrote no result (exit ${exits[i]})`] : []));
  const markdown = [
    '# BRIEF §6 — the table',
    '',
    `Run ${startedAt.toISOString()} · \`npm run bench${args.length ? ` -- ${args.join(' ')}` : ''}\` · code ${revision(REPO_ROOT)} · ${machineLine()}`,
    '',
    'Each ratio is against a baseline measured in the same run on this machine: the waiting-room paths against a bare `node:http` server under wrk, the full booking against pgbench TPC-B-like on the same PostgreSQL. The CPU-cost ratio is the same comparison from CPU time per operation (clients included), which moves less when a neighbour takes the CPU. Details: [queue-latest.md](queue-latest.md), [booking-latest.md](booking-latest.md) and, with the server on a CPU of its own, [booking-own-cores-latest.md](booking-own-cores-latest.md).',
    '',
    markdownTable(['path', 'setup', 'measured', 'baseline (same run)', 'ratio', 'target', 'met?', 'CPU-cost ratio'], rows),
    '',
    ...(problems.length + warnings.length + missing.length > 0 ? ['## Warnings', '', ...missing.map((m) => `- **${m}**`), ...problems.map((p) => `- **${p}**`), ...warnings.map((w) => `- ${w}`), ''] : []),
  ].join('\n');
  writeResult(join(RESULTS, 'latest.md'), markdown);
  console.log(`\n${markdown}\nwritten to ${join(RESULTS, 'latest.md')}`);
  return exits.every((e) => e === 0) && missing.length === 0 ? 0 : 1;
}

process.exit(await main());
