/**
 * The simulation's markdown report and its charts (SVG): queue length, admission rate (measured
 * and targeted) and bookings per second over the night, and the requests per second of the spike.
 */
import { writeFileSync, mkdirSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fmt, machineLine, markdownTable } from '../../bench/lib/report.ts';
import { etaBreakdownTable } from './eta-breakdown.ts';
import { renderSvgChart, type Series } from '../../bench/lib/svg-chart.ts';
import type { SimulationConfig } from './simulation-config.ts';
import type { SimulationResult } from './simulation-result.ts';

const pct = (x: number) => (Number.isFinite(x) ? `${(x * 100).toFixed(1)}%` : 'n/a');

function points(values: Float64Array, startSecond: number, from = -Infinity, to = Infinity): [number, number][] {
  const out: [number, number][] = [];
  for (let i = 0; i < values.length; i++) {
    const t = startSecond + i;
    if (t >= from && t <= to) out.push([t, values[i]!]);
  }
  return out;
}

/** Writes the charts next to the report; returns their file names. */
export function writeSimCharts(result: SimulationResult, reportFile: string): string[] {
  const dir = join(dirname(reportFile), 'charts');
  mkdirSync(dir, { recursive: true });
  const stem = basename(reportFile, '.md');
  const s = result.series;
  const opening = { x: 0, label: 'opening' };
  const charts: [string, string, string, Series[], number, number][] = [
    ['queue', 'Queue length (people with a place, not yet served)', 'people', [{ label: 'queue length', points: points(s.queueLength, s.startSecond) }], -Infinity, Infinity],
    ['admissions', 'Admissions per second', 'per second', [{ label: 'admissions issued', points: points(s.admissions, s.startSecond, 0) }, { label: 'measured rate', points: points(s.admitRate, s.startSecond, 0) }, { label: 'controller target', points: points(s.targetRate, s.startSecond, 0) }], 0, Infinity],
    ['bookings', 'Bookings per second', 'per second', [{ label: 'bookings', points: points(s.bookings, s.startSecond, 0) }], 0, Infinity],
    ['requests', 'Requests per second around the opening', 'requests/s', [{ label: 'requests', points: points(s.requests, s.startSecond, -300, 600) }], -300, 600],
  ];
  const files: string[] = [];
  for (const [name, title, yLabel, series] of charts) {
    const file = join(dir, `${stem}-${name}.svg`);
    writeFileSync(file, renderSvgChart({ title, xLabel: 'seconds from the opening', yLabel, series, marker: opening }));
    files.push(`charts/${stem}-${name}.svg`);
  }
  return files;
}

export function failedInvariants(result: SimulationResult): string[] {
  return Object.entries(result.invariants)
    .filter(([, n]) => n !== 0)
    .map(([name, n]) => `${name}: ${n}`);
}

/** The markdown report. */
export function simReport(config: SimulationConfig, result: SimulationResult, charts: string[], command: string, revision: string): string {
  const inv = result.invariants;
  const lines: string[] = [];
  lines.push('# National opening night — simulation');
  lines.push('');
  lines.push(`Run ${new Date().toISOString()} · \`${command}\` · code ${revision} · ${machineLine()} · ${fmt(result.wallSeconds, 1)} s of wall time, peak heap ${fmt(result.peakHeapMb)} MB`);
  lines.push('');
  lines.push('The real waiting-room code (`MemoryQueueStore`, `WaitingRoom.refresh` with its adaptive controller and `BookingPathHealth`) under a `ManualClock`, one refresh (250 ms) at a time; the crowd, the clients\' polling and the booking path are modelled (sim/README.md).');
  lines.push('');
  lines.push('## Invariants (each must be 0)');
  lines.push('');
  lines.push(
    markdownTable(
      ['invariant', 'count'],
      [
        ['oversold doses (model ledger)', fmt(inv.oversold)],
        ['double bookings (model ledger)', fmt(inv.doubleBookings)],
        ['bounces (place changed or lost, admission refused after the turn or expired under a booker, servingUpTo back)', fmt(inv.bounces)],
        ['fairness inversions (refused while someone behind held an admission)', fmt(inv.fairnessInversions)],
        ['order violations (first-come places out of arrival order; pre-queue not a permutation)', fmt(inv.orderViolations)],
        ['devices of one person given different admissions', fmt(inv.splitAdmissions)],
      ],
    ),
  );
  const failed = failedInvariants(result);
  lines.push('');
  lines.push(failed.length === 0 ? '**All invariants hold.**' : `**Invariants broken: ${failed.join(', ')}.**`);
  for (const [reason, n] of Object.entries(result.bounceReasons)) lines.push(`- bounce: ${reason} × ${fmt(n)}`);
  lines.push('');
  lines.push('## The night');
  lines.push('');
  lines.push(
    markdownTable(
      ['measure', 'value'],
      [
        ['eligible', fmt(result.eligible)],
        ['people who came (turnout)', `${fmt(result.people)} (${pct(config.crowd.turnout)})`],
        ['of them in the pre-queue hour', fmt(result.prequeuePeople)],
        ['devices per person (mean)', fmt(result.meanDevices, 2)],
        ['requests in the first minute after the opening', fmt(result.requestsFirstMinute)],
        ['— of them polls of the shared status (one cacheable document) / everything else (identity, join, admission, search, booking)', `${fmt(result.pollsFirstMinute)} / ${fmt(result.requestsFirstMinute - result.pollsFirstMinute)}`],
        ['requests in all', fmt(result.requestsTotal)],
        ['admission policy', `\`${JSON.stringify(config.admission)}\``],
        ['booking path (model)', `${fmt(config.bookingPath.capacityPerSecond)} bookings/s${config.bookingPath.ramp ? ` at the opening, ${fmt(config.bookingPath.ramp.toPerSecond)} from ${fmt(config.bookingPath.ramp.overSeconds)} s on (linear between)` : ''}, ${pct(config.bookingPath.failureRate)} failing, ${config.bookingPath.baseLatencyMs} ms base`],
        ['doses on sale / booked / cancelled / left', `${fmt(result.doses.onSale)} / ${fmt(result.doses.booked)} / ${fmt(result.doses.cancelled)} / ${fmt(result.doses.remaining)}`],
        ['slowest booking call (incl. backlog)', `${fmt(result.maxBookingLatencyMs)} ms`],
        ['simulated time from the queue opening', `${fmt(result.simulatedSeconds)} s`],
        ['everyone resolved after the opening in', result.secondsToDrain === null ? 'not within the run' : `${fmt(result.secondsToDrain)} s`],
        ['pairs of people admitted in the other order than their places, because each client notices its turn at its own next poll (information, not a fault)', fmt(result.clientOrderInversions)],
      ],
    ),
  );
  lines.push('');
  lines.push('## Wait estimate (BRIEF §4.5: ±25% for 90%)');
  lines.push('');
  lines.push(
    markdownTable(
      ['measure', 'value'],
      [
        ['people measured', fmt(result.eta.measured)],
        ['actual wait within ±25% of the first p50 estimate (1 s floor)', pct(result.eta.withinQuarter)],
        ['actual wait at most the first p90 estimate', pct(result.eta.withinP90)],
        ['median absolute error', `${fmt(result.eta.medianAbsoluteErrorSeconds, 1)} s`],
        ['first estimate had to wait for a measured rate', pct(result.eta.noEstimateShare)],
        ['served before any estimate was shown to them (not measured)', fmt(result.eta.servedBeforeEstimate)],
      ],
    ),
  );
  lines.push('');
  lines.push('Where it goes wrong: by when the first estimate was shown and by what it said. Ratio = actual wait ÷ first p50 estimate (1 = exact); rates in places per second.');
  lines.push('');
  lines.push(etaBreakdownTable(result.eta.groups));
  lines.push('');
  lines.push('## Outcomes and answers');
  lines.push('');
  lines.push(markdownTable(['outcome', 'people'], Object.entries(result.outcomes).sort((a, b) => b[1] - a[1]).map(([k, v]) => [k, fmt(v)])));
  lines.push('');
  lines.push(markdownTable(['answer', 'count'], Object.entries(result.statuses).sort().map(([k, v]) => [k, fmt(v)])));
  lines.push('');
  lines.push('## Charts');
  lines.push('');
  for (const chart of charts) lines.push(`![${chart}](${chart})`);
  lines.push('');
  return lines.join('\n');
}
