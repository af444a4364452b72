import { mkdirSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fmt, machineLine, markdownTable } from '../../bench/lib/report.ts';
import { renderSvgChart } from '../../bench/lib/svg-chart.ts';
import type { OpeningNightResult } from '../../load/lib/run-result.ts';
import type { FaultFigures } from './chaos-run.ts';
import type { OutreachFigures } from './outreach-check.ts';

/** The invariants whose breaking fails the suite (BRIEF §4: nothing lost, double, oversold, moved back or refused after being granted). */
const CHAOS_INVARIANTS = ['lostBookings', 'doubleBookings', 'oversoldSlots', 'counterDrift', 'bounces', 'anomalies'] as const;

export function brokenChaosInvariants(r: OpeningNightResult): string[] {
  return CHAOS_INVARIANTS.filter((k) => r.invariants[k] !== 0).map((k) => `${k}: ${r.invariants[k]}`);
}

/** Messages or registry events lost (done but never received, dead) or received twice (BRIEF §4.6). */
export function brokenOutreach(outreach: OutreachFigures[]): string[] {
  return outreach.flatMap((o) => [
    ...(o.doneButMissing ? [`${o.consumer} done but never received: ${o.doneButMissing}`] : []),
    ...(o.dead ? [`${o.consumer} dead letters: ${o.dead}`] : []),
    ...(o.twice ? [`${o.consumer} received twice: ${o.twice}`] : []),
    ...(o.unknownKeys ? [`${o.consumer} received under unknown keys: ${o.unknownKeys}`] : []),
  ]);
}

const LABELS: Record<string, string> = {
  lostBookings: '201s with no booking in the database (lost)',
  doubleBookings: 'people with two live bookings (double)',
  oversoldSlots: 'slots with more live doses than capacity (oversold)',
  counterDrift: 'slot counters disagreeing with their doses',
  bounces: 'places moved or lost, admissions refused after being granted',
  anomalies: 'anomalies (second booking accepted, eligible refused…)',
  fairnessInversions: 'fairness inversions (425 while a later place held an admission)',
  unexpected5xx: 'answers 5xx other than a deliberate 503',
  networkErrors: 'network errors and timeouts through the balancer',
};

/** One chart per fault: requests, failures, deliberate 503s and bookings per second around it. */
export function writeChaosCharts(r: OpeningNightResult, figures: FaultFigures[], reportFile: string): string[] {
  const dir = join(dirname(reportFile), 'charts');
  mkdirSync(dir, { recursive: true });
  return figures.map((f) => {
    const from = Math.floor(f.window.startSecond - 30);
    const to = Math.ceil(f.window.endSecond);
    const points = (series: number[]) => {
      const out: [number, number][] = [];
      for (let s = from; s <= to; s++) out.push([s - f.window.startSecond, series[s + r.offsetSeconds] ?? 0]);
      return out;
    };
    const svg = renderSvgChart({
      title: `${f.window.name}: answers per second around the fault`,
      xLabel: 'seconds from the fault',
      yLabel: 'per second',
      marker: { x: 0, label: f.window.name },
      series: [
        { label: 'requests', points: points(r.requestsPerSecond) },
        { label: 'bookings (201)', points: points(r.bookingsPerSecond) },
        { label: 'deliberate 503', points: points(r.deliberatePerSecond) },
        { label: 'failures (other 5xx, network)', points: points(r.failuresPerSecond) },
      ],
    });
    const file = join(dir, `${basename(reportFile, '.md')}-${f.window.name}.svg`);
    writeFileSync(file, svg);
    return `charts/${basename(file)}`;
  });
}

export function chaosReport(r: OpeningNightResult, figures: FaultFigures[], outreach: OutreachFigures[], charts: string[], command: string, code: string): string {
  const lines: string[] = [];
  lines.push('# Chaos — faults under load, through the balancer', '');
  lines.push(`Run ${new Date().toISOString()} · \`${command}\` · code ${code} · ${machineLine()}`, '');
  lines.push(
    `The topology of \`npm run cluster\` (nginx → HAProxy → 3 nodes; Redis with a replica and 3 Sentinels; PostgreSQL under Patroni behind HAProxy). ${fmt(r.options.people)} people arriving evenly, 1–3 devices each, from ${r.options.localAddresses?.length ?? 1} client addresses; admission \`${JSON.stringify(r.options.admission)}\`; ${fmt(r.seeded.doses)} dose-1 doses. One fault at a time, after a steady minute, each followed by a recovery minute.`,
    '',
  );
  lines.push('## Invariants over the whole run (each must be 0)', '');
  lines.push(markdownTable(['invariant', 'count'], Object.entries(r.invariants).map(([k, n]) => [LABELS[k] ?? k, fmt(n)])), '');
  const broken = brokenChaosInvariants(r);
  lines.push(broken.length ? `**Broken: ${broken.join(', ')}.**` : '**Nothing lost, double, oversold, moved back or refused after being granted.**', '');
  lines.push('## Per fault (from its start to the end of its recovery)', '');
  lines.push(
    markdownTable(
      ['fault', 'what was done', 'injection took', 'answers', 'failures (goal 0)', 'deliberate 503', 'seconds until errors < 1% (goal < 30)', 'bookings/s before → during', 'bounces, anomalies (goal 0)'],
      figures.map((f) => [
        f.window.name,
        f.window.description,
        `${fmt(f.window.injectedSecond - f.window.startSecond)} s`,
        fmt(f.requests),
        fmt(f.failures),
        fmt(f.deliberate503),
        f.secondsToUnderOnePercent === null ? 'never' : fmt(f.secondsToUnderOnePercent),
        `${fmt(f.bookingsBefore, 1)} → ${fmt(f.bookingsDuring, 1)}`,
        `${fmt(f.bounces)}, ${fmt(f.anomalies)}`,
      ]),
    ),
    '',
  );
  lines.push('## Messages and registry events (after the outbox drained), against what the stand-ins received', '');
  lines.push(
    markdownTable(
      ['consumer', 'jobs', 'delivered', 'done but never received (goal 0)', 'dead letters (goal 0)', 'still pending', 'received twice (goal 0)', 'received under unknown keys'],
      outreach.map((o) => [o.consumer, fmt(o.jobs), fmt(o.delivered), fmt(o.doneButMissing), fmt(o.dead), fmt(o.pending), fmt(o.twice), fmt(o.unknownKeys)]),
    ),
    '',
  );
  const reasons = [...Object.entries(r.bounceReasons), ...Object.entries(r.anomalyReasons)];
  if (reasons.length) lines.push('Bounces and anomalies, by what the client saw: ' + reasons.map(([k, n]) => `${k} × ${fmt(n)}`).join('; '), '');
  const unexpected = Object.entries(r.unexpectedAnswers);
  if (unexpected.length) lines.push('Answers other than 2xx/4xx and deliberate 503, by endpoint: ' + unexpected.map(([k, n]) => `${k} × ${fmt(n)}`).join(', '), '');
  lines.push('## Charts', '', ...charts.map((c) => `![${c}](${c})`), '');
  return lines.join('\n');
}
