/**
 * The opening-night report: invariants first, then the flow (admissions and bookings per second),
 * latency per endpoint, every status code, outcomes, the wait estimate, CPU and memory of each
 * process (the load generator's own included), and SVG charts of the queue, admissions and bookings.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fmt, fmtCores, machineLine, markdownTable } from '../../bench/lib/report.ts';
import { renderSvgChart } from '../../bench/lib/svg-chart.ts';
import { BOOKING_PATH_LOOP_TURNS } from '../../src/modules/waiting-room/domain/admission-rate.ts';
import { etaBreakdownTable } from '../../sim/lib/eta-breakdown.ts';
import type { OpeningNightResult } from './run-result.ts';
import { histogramCount, percentile } from './tallies.ts';

const pct = (x: number) => (Number.isFinite(x) ? `${(x * 100).toFixed(1)}%` : 'n/a');
const ms = (x: number) => (Number.isFinite(x) ? (x < 10 ? x.toFixed(2) : x.toFixed(0)) : 'n/a');

export function failedLoadInvariants(r: OpeningNightResult): string[] {
  const broken = Object.entries(r.invariants)
    .filter(([, n]) => n !== 0)
    .map(([name, n]) => `${name}: ${n}`);
  const log = r.queueLog?.violations.length ?? 0;
  return log === 0 ? broken : [...broken, `queueLogViolations: ${log}`];
}

/** The queue's public log as the auditor found it after the night (docs/transparency.md). */
function queueLogSection(r: OpeningNightResult): string[] {
  const log = r.queueLog;
  if (log === undefined) return [];
  if (log === null) return ['## The queue\'s public log', '', 'None kept (no log key).', ''];
  const counts = Object.entries(log.counts).filter(([, n]) => n > 0).map(([kind, n]) => `${kind} ${fmt(n)}`).join(', ');
  const verdict = log.violations.length === 0 ? '**verdict: clean**' : `**${fmt(log.violations.length)} violations**: ${log.violations.slice(0, 5).join('; ')}`;
  return ['## The queue\'s public log', '', `${fmt(log.entries)} entries (${counts}); ${fmt(log.admitted)} places admitted; audited from the system's address and, with the apps stopped, against the admissions in the database, in ${log.seconds.toFixed(1)} s: ${verdict}.`, ''];
}

function perSecondPoints(values: number[], offset: number): [number, number][] {
  return values.map((v, i): [number, number] => [i - offset, v ?? 0]);
}

/** Chart points from the samples where `value` is known. */
function defined<T extends { secondsFromOpening: number }>(points: T[], value: (p: T) => number | null): [number, number][] {
  return points.flatMap((p) => {
    const y = value(p);
    return y === null ? [] : [[p.secondsFromOpening, y] as [number, number]];
  });
}

export function writeLoadCharts(r: OpeningNightResult, reportFile: string): string[] {
  const dir = join(dirname(reportFile), 'charts');
  mkdirSync(dir, { recursive: true });
  const stem = basename(reportFile, '.md');
  const marker = { x: 0, label: 'opening' };
  const x = 'seconds from the opening';
  const charts = {
    queue: renderSvgChart({ title: 'Queue length (places issued, not yet served; the pre-queue before the opening)', xLabel: x, yLabel: 'people', marker, series: [{ label: 'queue length', points: r.statusPoints.map((p) => [p.secondsFromOpening, p.queueLength]) }] }),
    admissions: renderSvgChart({
      title: 'Admissions per second',
      xLabel: x,
      yLabel: 'per second',
      marker,
      series: [
        { label: 'admissions (clients)', points: perSecondPoints(r.admissionsPerSecond, r.offsetSeconds) },
        { label: 'measured rate (status)', points: r.statusPoints.map((p) => [p.secondsFromOpening, p.admitRate]) },
      ],
    }),
    controller: renderSvgChart({
      title: 'The admission controller (one node\'s view): its target rate beside the pace the estimate divides by',
      xLabel: x,
      yLabel: 'places per second',
      marker,
      series: [
        { label: 'controller target rate', points: defined(r.controllerPoints, (p) => p.targetRate) },
        { label: 'pace (status)', points: r.statusPoints.flatMap((p) => (p.etaRate === null ? [] : [[p.secondsFromOpening, p.etaRate] as [number, number]])) },
      ],
    }),
    'controller-active': renderSvgChart({
      title: 'Admissions active at once, and the controller\'s limit on them (one node\'s view)',
      xLabel: x,
      yLabel: 'admissions',
      marker,
      series: [
        { label: 'active admissions', points: defined(r.controllerPoints, (p) => p.activeAdmissions) },
        { label: 'limit', points: defined(r.controllerPoints, (p) => p.activeLimit) },
      ],
    }),
    'controller-latency': renderSvgChart({
      title: `Booking path p99 over the health window, the node's event-loop queue (${BOOKING_PATH_LOOP_TURNS} × the loop's p99 delay), and its mean database round trip and wait for each request pool's connection`,
      xLabel: x,
      yLabel: 'ms',
      marker,
      series: [
        { label: 'booking path p99', points: defined(r.controllerPoints, (p) => p.bookingP99Ms) },
        { label: `${BOOKING_PATH_LOOP_TURNS} × event-loop p99`, points: defined(r.controllerPoints, (p) => (p.loopDelayP99Ms === null ? null : BOOKING_PATH_LOOP_TURNS * p.loopDelayP99Ms)) },
        { label: 'statement round trip (mean)', points: defined(r.controllerPoints, (p) => p.dbStatementMeanMs) },
        { label: 'main pool wait (mean)', points: defined(r.controllerPoints, (p) => p.mainPoolWaitMeanMs) },
        { label: 'booking pool wait (mean)', points: defined(r.controllerPoints, (p) => p.bookingPoolWaitMeanMs) },
      ],
    }),
    bookings: renderSvgChart({ title: 'Bookings per second (201)', xLabel: x, yLabel: 'per second', marker, series: [{ label: 'bookings', points: perSecondPoints(r.bookingsPerSecond, r.offsetSeconds) }] }),
    requests: renderSvgChart({ title: 'Requests per second (all endpoints)', xLabel: x, yLabel: 'requests/s', marker, series: [{ label: 'requests', points: perSecondPoints(r.requestsPerSecond, r.offsetSeconds) }] }),
  };
  return Object.entries(charts).map(([name, svg]) => {
    writeFileSync(join(dir, `${stem}-${name}.svg`), svg);
    return `charts/${stem}-${name}.svg`;
  });
}

export function loadReport(r: OpeningNightResult, charts: string[], command: string, revision: string): string {
  const o = r.options;
  const inv = r.invariants;
  const lines: string[] = [];
  const add = (...l: string[]) => lines.push(...l);
  add('# Opening night — load run', '');
  add(`Run ${new Date().toISOString()} · \`${command}\` · code ${revision} · ${machineLine()}`, '');
  add(`${fmt(o.people)} people (${pct(o.shape.ineligibleShare)} outside the cohort), 1–3 devices each, ${r.mode === 'embedded' ? 'the embedded default (one process, PGlite, in-process queue store)' : `PostgreSQL + Redis, ${o.apps} app processes (node:cluster), database pools ${o.appEnv?.YEYAK_DB_POOL_SIZE ?? 'the default (10)'} + ${o.appEnv?.YEYAK_DB_BOOKING_POOL_SIZE ?? 'the default (10)'} for the booking path + ${o.appEnv?.YEYAK_DB_BACKGROUND_POOL_SIZE ?? 'the default (4)'} for background work each`}; ${o.workers} load worker process(es) × ${o.connections} keep-alive connections; admission \`${JSON.stringify(o.admission)}\`; ${fmt(r.seeded.clinics)} clinics, ${fmt(r.seeded.doses)} dose-1 doses; pre-queue ${o.shape.prequeueSeconds} s (${pct(o.shape.prequeueShare)} of arrivals), spike ${pct(o.shape.spikeShare)} (mean ${o.shape.spikeMeanSeconds} s after the opening), tail mean ${o.shape.tailMeanSeconds} s; journeys stop ${o.maxSecondsAfterOpening} s after the opening.`, '');
  if (r.setupOverrunSeconds > 0) add(`Warning: seeding ran ${r.setupOverrunSeconds.toFixed(1)} s past the queue's opening; the first pre-queue arrivals joined late.`, '');
  add('## Invariants (each must be 0)', '');
  add(
    markdownTable(
      ['invariant', 'count'],
      [
        ['oversold slots (live doses > capacity, in the database)', fmt(inv.oversoldSlots)],
        ['slot counters disagreeing with their doses (database)', fmt(inv.counterDrift)],
        ['double bookings (people with two live bookings, database)', fmt(inv.doubleBookings)],
        ['201s with no booking in the database', fmt(inv.lostBookings)],
        ['bounces (place moved or lost, re-queued, admission refused)', fmt(inv.bounces)],
        ['fairness inversions (425 while a later place held an admission)', fmt(inv.fairnessInversions)],
        ['5xx other than a deliberate 503', fmt(inv.unexpected5xx)],
        ['network errors and timeouts', fmt(inv.networkErrors)],
        ['anomalies (second booking accepted, one key booked twice, eligible refused…)', fmt(inv.anomalies)],
      ],
    ),
    '',
  );
  const failed = failedLoadInvariants(r);
  add(failed.length === 0 ? '**All invariants hold.**' : `**Invariants broken: ${failed.join(', ')}.**`);
  for (const [k, n] of [...Object.entries(r.bounceReasons), ...Object.entries(r.anomalyReasons), ...Object.entries(r.unexpectedAnswers)]) add(`- ${k} × ${fmt(n)}`);
  add('', ...queueLogSection(r));
  const peak = (a: number[]) => Math.max(0, ...a.map((v) => v ?? 0));
  const active = (a: number[]) => a.filter((v) => v > 0);
  const mean = (a: number[]) => (a.length ? a.reduce((x, y) => x + y, 0) / a.length : NaN);
  add('## Flow', '');
  add(
    markdownTable(
      ['measure', 'value'],
      [
        ['bookings (201)', fmt(r.booked201)],
        ['in the database: live / cancelled', `${fmt(r.database.liveBookings)} / ${fmt(r.database.cancelledBookings)}`],
        ['changed / cancelled by their owners', `${fmt(r.changed)} / ${fmt(r.cancelled)}`],
        [
          'messages when the apps stopped (the outbox relay, at the end of the journeys): sent / pending / dead; events not fanned out yet',
          `${fmt(r.database.messages.sent)} / ${fmt(r.database.messages.pending)} / ${fmt(r.database.messages.dead)}; ${fmt(r.database.messages.unrouted)}`,
        ],
        ['bookings per second: peak / mean over seconds with bookings', `${fmt(peak(r.bookingsPerSecond))} / ${fmt(mean(active(r.bookingsPerSecond)), 1)}`],
        ['admissions per second: peak / mean over seconds with admissions', `${fmt(peak(r.admissionsPerSecond))} / ${fmt(mean(active(r.admissionsPerSecond)), 1)}`],
        ['requests per second: peak / mean', `${fmt(peak(r.requestsPerSecond))} / ${fmt(mean(active(r.requestsPerSecond)), 1)}`],
        ['wait estimate, to the status serving their place: within ±25% of the first p50 (1 s floor) / at most the first p90', `${pct(r.etaServed.withinQuarter / r.etaServed.measured)} / ${pct(r.etaServed.withinP90 / r.etaServed.measured)} of ${fmt(r.etaServed.measured)} people`],
        ['wait estimate, to the admission the client got (its polling lag included): same two shares', `${pct(r.eta.withinQuarter / r.eta.measured)} / ${pct(r.eta.withinP90 / r.eta.measured)} of ${fmt(r.eta.measured)} people`],
        ['admitted before any estimate was shown to them (the pace still measured or unsteady; not in the shares)', fmt(r.eta.unestimated)],
        ['of everyone who waited over 5 s: no pace in the status document within 5 s of their place (the server; goal ≤ 1%)', `${pct(r.estimateOffered.withoutWithin5s / r.estimateOffered.waiters)} of ${fmt(r.estimateOffered.waiters)} people`],
        ['of everyone who waited over 5 s: served within ±25% of the first estimate the status offered them (a missing or late one a miss; the server; goal 90%)', pct(r.estimateOffered.withinQuarter / r.estimateOffered.waiters)],
        ['of everyone who waited over 5 s: shown no estimate within 5 s of their place (the clients: their queue for a free connection included)', `${pct(r.eta.waitersWithoutEstimate / r.eta.waiters)} of ${fmt(r.eta.waiters)} people`],
        ['of everyone who waited over 5 s: served within ±25% of the first estimate their clients saw (a missing or late one a miss; the clients)', pct(r.eta.waitersWithinQuarter / r.eta.waiters)],
        ['time a request waited in the generator for a free connection: p50 / p99', `${ms(percentile(r.clientWait, 50))} / ${ms(percentile(r.clientWait, 99))} ms`],
      ],
    ),
    '',
  );
  add('## Where the wait estimate goes wrong', '');
  add('Each first estimate against the sampled status first serving that place (±1 s), by when it was shown and by what it said. Ratio = actual wait ÷ first p50 estimate (1 = exact); rates in places per second.', '');
  add(etaBreakdownTable(r.etaServed.groups), '');
  add('## Latency per endpoint (from a free connection to the last byte)', '');
  add(markdownTable(['endpoint', 'requests', 'p50 ms', 'p95 ms', 'p99 ms'], Object.entries(r.latency).map(([e, h]) => [e, fmt(histogramCount(h)), ms(percentile(h, 50)), ms(percentile(h, 95)), ms(percentile(h, 99))])), '');
  add('## Every status code, by endpoint', '');
  add(markdownTable(['endpoint', 'answers'], Object.entries(r.statuses).map(([e, c]) => [e, Object.entries(c).sort().map(([k, n]) => `${k} × ${fmt(n)}`).join(', ')])), '');
  if (Object.keys(r.shed).length > 0) {
    add('Of the 503s, those the front door shed, by why (`details.shed`, the label of `yeyak_shed_requests_total`: `dbWait` the main pool\'s wait, `dbWaiting` its queue, `bookingDbWaiting` the booking pool\'s queue, `eventLoopDelay`, `heapUsedBytes`, `clockSkew`; docs/monitoring.md):', '');
    add(markdownTable(['endpoint', 'shed'], Object.entries(r.shed).map(([e, c]) => [e, Object.entries(c).sort().map(([k, n]) => `${k} × ${fmt(n)}`).join(', ')])), '');
  }
  add('## Outcomes', '');
  add(markdownTable(['outcome', 'people'], Object.entries(r.outcomes).sort((a, b) => b[1] - a[1]).map(([k, n]) => [k, fmt(n)])), '');
  add('## Processes (CPU over the crowd\'s run, peak memory)', '');
  const p = r.processes;
  // Processes of one kind (PostgreSQL's backends) are summed into one row.
  const grouped = new Map<string, { pids: number[]; cores: number | null; cpu: number | null; rss: number | null }>();
  const plus = (a: number | null, b: number | null) => (a === null ? b : b === null ? a : a + b);
  for (const f of p.processes) {
    const g = grouped.get(f.label);
    if (!g) grouped.set(f.label, { pids: [f.pid], cores: f.cores, cpu: f.cpuSeconds, rss: f.peakRssMb });
    else grouped.set(f.label, { pids: [...g.pids, f.pid], cores: plus(g.cores, f.cores), cpu: plus(g.cpu, f.cpuSeconds), rss: plus(g.rss, f.peakRssMb) });
  }
  add(markdownTable(['process', 'pid(s)', 'cores (average)', 'CPU seconds', 'peak RSS MB'], [...grouped].map(([label, g]) => [label, g.pids.length > 3 ? `${g.pids.length} processes` : g.pids.join(', '), fmtCores(g.cores), fmt(g.cpu ?? NaN, 1), fmt(g.rss ?? NaN)])), '');
  const generator = p.processes.filter((f) => f.label.startsWith('load worker')).reduce((a, f) => a + (f.cores ?? 0), 0);
  add(`Machine busy ${fmtCores(p.machineBusyCores)} cores over ${fmt(p.seconds)} s; the load generator itself used ${fmtCores(generator)} cores of them.`, '');
  add('## Charts', '');
  for (const c of charts) add(`![${c}](${c})`);
  add('');
  return lines.join('\n');
}
