/**
 * The markdown report of bench:booking and its figures for `npm run bench`'s table.
 */
import { cpus } from 'node:os';
import { BENCH_CAMPAIGN_ID, BENCH_INTERVAL_DAYS } from '../../scripts/seed-bench.ts';
import type { PeopleResult } from '../booking-load.ts';
import { type CpuUse } from '../lib/cpu.ts';
import type { CpuSplit } from '../lib/cpu-affinity.ts';
import { renderProfile } from '../lib/cpu-profile.ts';
import { renderStatementStats } from '../lib/statement-stats.ts';
import { type ServerInfo } from '../lib/postgres.ts';
import { cpuModel, fmt, fmtCores } from '../lib/report.ts';
import { renderWalRecords } from '../lib/wal-records.ts';
import { type BenchFigure } from '../lib/summary.ts';
import { ADMISSION, type Options, TARGET_RATIO, WAL_TARGET_KB } from './config.ts';
import { type PgbenchRun, type WalSpan } from './pgbench-run.ts';
import type { Seeded } from './seed.ts';
import { type YeyakRun, stepAnswers } from './yeyak-run.ts';

export interface Report {
  startedAt: Date;
  argv: string[];
  revision: string;
  options: Options;
  server: ServerInfo;
  serverSource: string;
  /** The CPUs the server had to itself (`--database-cpus`), or null when everyone shared them all. */
  cpuSplit: Pick<CpuSplit, 'databaseCpus' | 'otherCpus'> | null;
  pgbenchBefore: PgbenchRun;
  pgbenchAfter: PgbenchRun | null;
  seeded: Seeded;
  people: number;
  yeyak: YeyakRun;
}

/** The set-up before the timed run, step by step (not measured against anything). */
function setupLine(people: PeopleResult): string {
  const { identity, ticket, admission } = people.steps;
  const rate = (s: { ok: number; seconds: number }) => `${fmt(s.ok)} in ${s.seconds.toFixed(1)} s (${fmt(s.ok / Math.max(0.001, s.seconds))}/s)`;
  return (
    `Set-up, outside the timed run (campaign admission \`${JSON.stringify(ADMISSION)}\`): sessions via \`POST /api/v1/identity/dev\` ${rate(identity)}; ` +
    `queue tickets via \`POST …/queue/tickets\` ${rate(ticket)}; admissions via \`POST …/admissions\` ${rate(admission)}, ${fmt(admission.retries)} answers 425 asked again after ${admission.retryMs} ms. ` +
    `Answers: ${stepAnswers(people)}.`
  );
}

/** The per-statement section (--statements): PostgreSQL's own counters over the timed run. */
function statementSection(stats: YeyakRun['statements'], bookings: number): string[] {
  if (stats === null) return [];
  const body = 'unavailable' in stats ? [stats.unavailable] : renderStatementStats(stats, bookings);
  return ['## Statements per booking (pg_stat_statements over the timed run)', '', ...body, ''];
}

export function render(r: Report): { markdown: string; problems: string[]; warnings: string[]; figures: BenchFigure[] } {
  const { load } = r.yeyak;
  const bookingsPerSecond = load.booked / load.seconds;
  const tpsBefore = r.pgbenchBefore.result.tps;
  const tpsAfter = r.pgbenchAfter?.result.tps ?? null;
  const tps = tpsAfter === null ? tpsBefore : (tpsBefore + tpsAfter) / 2;
  const ratio = bookingsPerSecond / tps;
  const met = ratio >= TARGET_RATIO;
  const total = Object.values(load.statuses).reduce((a, b) => a + b, 0);
  const soldOut = load.statuses['409 YEYAK_ERR_SOLD_OUT'] ?? 0;
  const fiveXx = Object.entries(load.statuses).filter(([k]) => k.startsWith('5')).reduce((a, [, n]) => a + n, 0);
  const committed201 = load.warmupBooked + load.booked + load.late201;

  const problems: string[] = [];
  const warnings: string[] = [];
  if (r.yeyak.bookingsInDb !== committed201) problems.push(`${committed201} bookings answered 201 but ${r.yeyak.bookingsInDb} are in the database`);
  if (r.yeyak.oversoldSlots > 0) problems.push(`${r.yeyak.oversoldSlots} slots hold more bookings than their capacity`);
  if (soldOut > total * 0.01) warnings.push(`${fmt(soldOut)} SOLD_OUT answers (${((100 * soldOut) / total).toFixed(1)}%): the seed is too small for this rate; use more --clinics`);
  const refused = Object.entries(load.statuses).filter(([k]) => k.startsWith('401') || k.startsWith('403')).reduce((a, [, n]) => a + n, 0);
  if (refused > 0) problems.push(`${fmt(refused)} bookings refused 401/403 in the timed run: the admissions the bench holds were not accepted`);
  if (fiveXx > 0) warnings.push(`${fiveXx} 5xx answers during the timed run`);
  if (load.peopleExhaustedAt !== null) {
    warnings.push(`people ran out ${load.peopleExhaustedAt.toFixed(1)} s into the ${r.options.seconds} s timed run: bookings/s is over the ${load.seconds.toFixed(1)} s that ran; pass a larger --people for the full window`);
  }
  if (tpsAfter !== null && Math.abs(tpsAfter - tpsBefore) / tpsBefore > 0.25) {
    warnings.push(`pgbench moved ${(((tpsAfter - tpsBefore) / tpsBefore) * 100).toFixed(0)}% between the runs before and after the bookings: the machine was not steady`);
  }

  // CPU milliseconds per unit of work, clients included: what each would cost with the machine to
  // itself. Their ratio moves much less than the throughputs when neighbours take CPU.
  const pgbenchCost = (run: PgbenchRun | null) =>
    run?.cpu?.groups.postgres && run.cpu.groups.pgbench ? ((run.cpu.groups.postgres + run.cpu.groups.pgbench) * 1000) / run.result.tps : null;
  const pgbenchCosts = [pgbenchCost(r.pgbenchBefore), pgbenchCost(r.pgbenchAfter)].filter((c): c is number => c !== null);
  const bookingCost =
    r.yeyak.cpu?.groups.postgres && r.yeyak.cpu.groups.app && r.yeyak.cpu.groups.load && bookingsPerSecond > 0
      ? ((r.yeyak.cpu.groups.postgres + r.yeyak.cpu.groups.app + r.yeyak.cpu.groups.load) * 1000) / bookingsPerSecond
      : null;
  const costRatio = bookingCost !== null && pgbenchCosts.length > 0 ? pgbenchCosts.reduce((a, c) => a + c, 0) / pgbenchCosts.length / bookingCost : null;

  const lat = load.latencyMs;
  const rows: [string, string][] = [
    [`pgbench TPS (TPC-B-like, -c ${r.options.pgbenchClients} -j ${r.options.pgbenchThreads}, ${r.options.seconds} s), before`, fmt(tpsBefore, 1)],
    ...(tpsAfter === null ? [] : ([
      ['pgbench TPS, after the bookings', fmt(tpsAfter, 1)],
      ['pgbench TPS used for the ratio (mean)', fmt(tps, 1)],
    ] as [string, string][])),
    [`bookings/s (201 only, ${r.options.concurrency} in flight, ${load.seconds.toFixed(1)} s)`, fmt(bookingsPerSecond, 1)],
    ['**ratio bookings/s ÷ TPS**', `**${ratio.toFixed(2)}**`],
    ['target (BRIEF §6)', `≥ ${TARGET_RATIO} — ${met ? 'met' : 'NOT met'}`],
    ...(costRatio === null || bookingCost === null
      ? []
      : ([
          [
            'CPU-cost ratio: CPU ms per pgbench transaction ÷ per booking, clients included (estimate that shrugs off neighbours)',
            `${costRatio.toFixed(2)} (${(pgbenchCosts.reduce((a, c) => a + c, 0) / pgbenchCosts.length).toFixed(2)} ms ÷ ${bookingCost.toFixed(2)} ms)`,
          ],
        ] as [string, string][])),
    ['booking latency p50', lat ? `${lat.p50.toFixed(1)} ms` : 'n/a'],
    ['booking latency p99', lat ? `${lat.p99.toFixed(1)} ms` : 'n/a'],
  ];
  const table = ['| measure | value |', '|---|---|', ...rows.map(([k, v]) => `| ${k} | ${v} |`)].join('\n');

  const statuses = Object.entries(load.statuses)
    .sort((a, b) => b[1] - a[1])
    .map(([k, n]) => `| ${k} | ${fmt(n)} |`)
    .join('\n');

  const b = r.yeyak.cpu;
  const p = r.pgbenchBefore.cpu;
  const cpuLines: string[] = ['| phase | machine busy | postgres | app (Node) | load generator / pgbench | everything else |', '|---|---|---|---|---|---|'];
  if (p) {
    const other = p.machineBusyCores === null ? null : p.machineBusyCores - (p.groups.postgres ?? 0) - (p.groups.pgbench ?? 0);
    cpuLines.push(`| pgbench (before) | ${fmtCores(p.machineBusyCores)} of ${fmtCores(p.machineCores)} | ${fmtCores(p.groups.postgres)} | – | ${fmtCores(p.groups.pgbench)} | ${fmtCores(other)} |`);
  }
  const a = r.pgbenchAfter?.cpu;
  if (a) {
    const other = a.machineBusyCores === null ? null : a.machineBusyCores - (a.groups.postgres ?? 0) - (a.groups.pgbench ?? 0);
    cpuLines.push(`| pgbench (after) | ${fmtCores(a.machineBusyCores)} of ${fmtCores(a.machineCores)} | ${fmtCores(a.groups.postgres)} | – | ${fmtCores(a.groups.pgbench)} | ${fmtCores(other)} |`);
  }
  if (b) {
    const other = b.machineBusyCores === null ? null : b.machineBusyCores - (b.groups.postgres ?? 0) - (b.groups.app ?? 0) - (b.groups.load ?? 0);
    cpuLines.push(`| bookings | ${fmtCores(b.machineBusyCores)} of ${fmtCores(b.machineCores)} | ${fmtCores(b.groups.postgres)} | ${fmtCores(b.groups.app)} | ${fmtCores(b.groups.load)} | ${fmtCores(other)} |`);
  }
  const perUnit: string[] = [];
  const perBooking = bookingsPerSecond > 0;
  if (p?.groups.postgres) perUnit.push(`PostgreSQL CPU per pgbench transaction: ${((p.groups.postgres * 1000) / tpsBefore).toFixed(3)} ms`);
  if (perBooking && b?.groups.postgres) perUnit.push(`PostgreSQL CPU per booking: ${((b.groups.postgres * 1000) / bookingsPerSecond).toFixed(3)} ms`);
  if (perBooking && b?.groups.app) perUnit.push(`app (Node) CPU per booking: ${((b.groups.app * 1000) / bookingsPerSecond).toFixed(3)} ms`);
  if (r.yeyak.appEventLoop !== null && Number.isFinite(r.yeyak.appEventLoop)) {
    perUnit.push(`app event loop busy ${(r.yeyak.appEventLoop * 100).toFixed(0)}% of the timed run (event-loop utilisation${r.options.apps > 1 ? `, mean of ${r.options.apps} processes` : ''})`);
  }
  const pw = r.pgbenchBefore.wal;
  const bw = r.yeyak.wal;
  const walLine = (w: WalSpan, per: number, unit: string) => `WAL per ${unit}: ${fmt(w.bytes / per / 1024, 1)} kB, ${fmt(w.records / per, 1)} records, ${fmt(w.fpi / per, 2)} full-page images`;
  if (pw && tpsBefore > 0) perUnit.push(walLine(pw, tpsBefore * pw.seconds, 'pgbench transaction'));
  if (bw && perBooking) perUnit.push(walLine(bw, bookingsPerSecond * bw.seconds, 'booking') + ' (the whole cluster: the baseline\'s autovacuum included)');
  const own = r.yeyak.walRecords && !('unavailable' in r.yeyak.walRecords) ? r.yeyak.walRecords.filter((g) => g.ours) : null;
  const perOwnBooking = (key: 'bytes' | 'records' | 'withFpi' | 'fpiBytes') => (own ?? []).reduce((sum, g) => sum + g[key], 0) / load.booked;
  if (own && load.booked > 0) {
    perUnit.push(
      `WAL per booking, Yeyak's database only (pg_walinspect): ${fmt(perOwnBooking('bytes') / 1024, 1)} kB, ${fmt(perOwnBooking('records'), 1)} records, ` +
        `${fmt(perOwnBooking('withFpi'), 2)} with a full-page image; ${fmt((perOwnBooking('bytes') - perOwnBooking('fpiBytes')) / 1024, 2)} kB without the page images (the run starts at a checkpoint)`,
    );
  }
  const relay = r.yeyak.relay;
  if (relay && load.booked > 0) {
    perUnit.push(
      `outbox relay over the timed run: ${fmt(relay.fannedOut / load.booked, 2)} messages fanned out and ${fmt(relay.sent / load.booked, 2)} sent a booking ` +
        `(${fmt(relay.sent)} sent; about 1.00 of each when it keeps up, less when it falls behind and the booking's figures leave its work out)`,
    );
  }
  if (perBooking && b?.groups.load) perUnit.push(`load generator CPU per booking: ${((b.groups.load * 1000) / bookingsPerSecond).toFixed(3)} ms`);
  const steal = [p, b].map((use) => use?.machineStealCores ?? 0);
  if (steal.some((x) => x >= 0.01)) perUnit.push(`CPU stolen by the hypervisor: ${fmtCores(steal[0])} cores during pgbench, ${fmtCores(steal[1])} during the bookings`);
  const busiest = (use: CpuUse) => use.others.map((o) => `${o.comm} (pid ${o.pid}) ${o.cores.toFixed(2)}`).join(', ') || 'none above 0.01 core';
  if (p) perUnit.push(`busiest other processes during pgbench: ${busiest(p)}`);
  if (b) perUnit.push(`busiest other processes during the bookings: ${busiest(b)}`);

  const activityLines: string[] = [];
  const pa = r.pgbenchBefore.activity;
  const ba = r.yeyak.activity;
  if (pa || ba) {
    const keys = [...new Set([...Object.keys(pa?.backends ?? {}), ...Object.keys(ba?.backends ?? {})])];
    keys.sort((x, y) => (ba?.backends[y] ?? 0) + (pa?.backends[y] ?? 0) - (ba?.backends[x] ?? 0) - (pa?.backends[x] ?? 0));
    activityLines.push(
      `| backend state (pg_stat_activity, sampled every 50 ms) | pgbench (${r.options.pgbenchClients} connections) | bookings (${r.options.apps} × booking pool ${r.options.dbPool ?? 10}) |`,
      '|---|---|---|',
      ...keys.map((k) => `| ${k} | ${pa?.backends[k]?.toFixed(2) ?? '–'} | ${ba?.backends[k]?.toFixed(2) ?? '–'} |`),
    );
  }
  const perSecond = load.perSecond;
  const settings = Object.entries(r.server.settings).map(([k, v]) => `${k}=${v}`).join(', ');
  const md = [
    '# Booking throughput vs pgbench',
    '',
    `Run ${r.startedAt.toISOString()} · \`npm run bench:booking${r.argv.length > 0 ? ` -- ${r.argv.join(' ')}` : ''}\` · code ${r.revision} · ${cpus().length} × ${cpuModel()} · Node ${process.version}`,
    '',
    `PostgreSQL: ${r.server.version} (${r.serverSource}); ${settings}`,
    '',
    r.cpuSplit
      ? `CPUs: the server's processes pinned to CPU ${r.cpuSplit.databaseCpus.join(',')}, the app, the load generator and pgbench to CPU ${r.cpuSplit.otherCpus.join(',')} (\`--database-cpus\`): a database server with cores of its own, as deployed. Without it every process shares every CPU.`
      : 'CPUs: every process shares every CPU: the app and the load generator take cores the server would otherwise have, and pgbench\'s client (C) costs less than the app (see the CPU-cost ratio); `--database-cpus 0` gives the server cores of its own, as deployed.',
    '',
    table,
    '',
    `Booking = \`POST /api/v1/campaigns/${BENCH_CAMPAIGN_ID}/bookings\` with the person's admission (\`Authorization: Bearer\`) over HTTP keep-alive against the real app (${r.options.apps === 1 ? 'one process' : `${r.options.apps} processes, round-robin`}, booking-path DB pool ${r.options.dbPool ?? 10}${r.options.apps === 1 ? '' : ' each'}` +
      `${r.options.idempotencyKeys ? ', an Idempotency-Key on every request' : ', no Idempotency-Key'}), ` +
      `2 doses ${BENCH_INTERVAL_DAYS} days apart, random clinic/date/time over ${fmt(r.seeded.clinics.length)} clinics × ${r.seeded.dates.length} dates × ${r.seeded.times.length} times ` +
      `(${fmt(r.seeded.dose1Capacity)} dose-1 doses); one fresh person per booking (${fmt(r.yeyak.people.created)} verified, queued and admitted up front).`,
    '',
    setupLine(r.yeyak.people),
    '',
    `Bookings per second over the timed run: min ${fmt(Math.min(...perSecond))}, max ${fmt(Math.max(...perSecond))}; latency p90 ${lat ? lat.p90.toFixed(1) : 'n/a'} ms, max ${lat ? lat.max.toFixed(1) : 'n/a'} ms, mean ${lat ? lat.mean.toFixed(1) : 'n/a'} ms.`,
    '',
    '## Status codes in the timed run',
    '',
    '| status | count |',
    '|---|---|',
    statuses,
    '',
    `Outside the timed run: ${fmt(load.warmupBooked)} bookings in the warm-up, ${fmt(load.lateCompletions)} requests finished after the deadline (${fmt(load.late201)} of them 201).`,
    `Database check: ${fmt(r.yeyak.bookingsInDb)} live bookings for ${fmt(committed201)} answers 201; ${r.yeyak.oversoldSlots} oversold slots.`,
    '',
    '## CPU (average cores in use)',
    '',
    ...(p || b ? cpuLines : ['CPU accounting needs /proc (Linux).']),
    '',
    ...perUnit.map((l) => `- ${l}`),
    '',
    ...(activityLines.length > 0 ? ['## What the PostgreSQL backends were doing (average number of connections)', '', ...activityLines, ''] : []),
    ...statementSection(r.yeyak.statements, load.booked),
    ...(r.yeyak.walRecords ? ['## WAL per booking by relation and record (pg_walinspect over the timed run)', '', ...renderWalRecords(r.yeyak.walRecords, load.booked, 'booking'), ''] : []),
    ...(r.yeyak.profiles.length > 0
      ? ['## CPU profiles of the app over the timed run (V8 sampling profiler, 500 µs; it slows the app a little)', '', ...r.yeyak.profiles.flatMap((p, i) => renderProfile(`app ${i + 1}`, p))]
      : []),
    ...(warnings.length + problems.length > 0 ? ['## Warnings', '', ...problems.map((w) => `- **${w}**`), ...warnings.map((w) => `- ${w}`), ''] : []),
  ].join('\n');
  const figures: BenchFigure[] = [
    { setup: r.cpuSplit ? `PostgreSQL on CPU ${r.cpuSplit.databaseCpus.join(',')} alone` : 'PostgreSQL', path: 'full booking', value: bookingsPerSecond, unit: 'bookings/s', baseline: tps, baselineLabel: 'pgbench TPC-B-like TPS', ratio, target: TARGET_RATIO, costRatio },
  ];
  // The write-ahead log per booking (BRIEF §6 prices a booking at two TPC-B transactions; issue 21: ≤ 3 kB).
  const pgbenchWal = pw && tpsBefore > 0 ? pw.bytes / (tpsBefore * pw.seconds) / 1024 : null;
  if (own && load.booked > 0 && pgbenchWal !== null) {
    const kb = perOwnBooking('bytes') / 1024;
    figures.push({ setup: 'PostgreSQL', path: 'WAL per booking', value: kb, unit: 'kB', baseline: pgbenchWal, baselineLabel: 'kB per pgbench transaction', ratio: kb / pgbenchWal, target: null, atMost: WAL_TARGET_KB, digits: 1, costRatio: null });
  }
  return { markdown: md, problems, warnings, figures };
}
