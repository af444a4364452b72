/**
 * Where the wait estimate goes wrong: each measured person's first estimate against their actual
 * wait, grouped by when the estimate was taken and by how long it said. Per group: the share within
 * ±25%, the spread of actual ÷ estimate, and the rate the estimate assumed against the rate the
 * person was really served at (places ahead ÷ actual wait). Kept with the report so a regression
 * of BRIEF §4.5 shows where it comes from, not just that it happened.
 */

import { fmt, markdownTable } from '../../bench/lib/report.ts';

export interface EtaGroup {
  label: string;
  measured: number;
  withinQuarter: number;
  /** Percentiles (10, 50, 90) of actual wait ÷ first p50 estimate. */
  ratio: [number, number, number];
  /** Median rate the first estimate used, and median rate the person was actually served at (places/s). */
  rateAtEstimate: number;
  rateServed: number;
}

interface Bucket {
  label: string;
  ratios: number[];
  rates: number[];
  served: number[];
  within: number;
}

const bucket = (label: string): Bucket => ({ label, ratios: [], rates: [], served: [], within: 0 });

/** Seconds from the opening at which a first estimate was taken. */
const BY_TIME: [number, string][] = [
  [0, 'at the opening (pre-queue)'],
  [15, 'first 15 s after the opening'],
  [60, '15 s – 1 min after the opening'],
  [600, '1–10 min after the opening'],
  [Infinity, 'later than 10 min'],
];

/** What the first estimate said (p50, seconds). */
const BY_ESTIMATE: [number, string][] = [
  [10, 'estimate ≤ 10 s'],
  [120, 'estimate 10 s – 2 min'],
  [900, 'estimate 2–15 min'],
  [Infinity, 'estimate > 15 min'],
];

/** The breakdown as a markdown table (the simulation's and the load run's reports). */
export function etaBreakdownTable(groups: EtaGroup[]): string {
  const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
  return markdownTable(
    ['first estimate', 'people', 'within ±25%', 'actual ÷ estimate p10 / p50 / p90', 'rate it assumed (median)', 'rate they were served at (median)'],
    groups.map((g) => [g.label, fmt(g.measured), pct(g.withinQuarter), g.ratio.map((r) => fmt(r, 2)).join(' / '), fmt(g.rateAtEstimate), fmt(g.rateServed)]),
  );
}

function percentile(sorted: Float64Array, p: number): number {
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))]! : NaN;
}

/** Collects first estimates and actual waits; `groups()` summarises them. */
export class EtaBreakdown {
  private readonly byTime = BY_TIME.map(([, label]) => bucket(label));
  private readonly byEstimate = BY_ESTIMATE.map(([, label]) => bucket(label));

  /** One person: when their first estimate was shown (s from the opening), what it said, what happened. */
  add(seenAt: number, ahead: number, estimateSeconds: number, rate: number, actualSeconds: number, within: boolean): void {
    const time = this.byTime[BY_TIME.findIndex(([upTo]) => seenAt <= upTo)]!;
    const estimate = this.byEstimate[BY_ESTIMATE.findIndex(([upTo]) => estimateSeconds <= upTo)]!;
    for (const b of [time, estimate]) {
      b.ratios.push(actualSeconds / Math.max(1, estimateSeconds));
      b.rates.push(rate);
      if (actualSeconds > 0) b.served.push(ahead / actualSeconds);
      if (within) b.within++;
    }
  }

  groups(): EtaGroup[] {
    return [...this.byTime, ...this.byEstimate]
      .filter((b) => b.ratios.length > 0)
      .map((b) => {
        const ratios = Float64Array.from(b.ratios).sort();
        return {
          label: b.label,
          measured: ratios.length,
          withinQuarter: b.within / ratios.length,
          ratio: [percentile(ratios, 10), percentile(ratios, 50), percentile(ratios, 90)],
          rateAtEstimate: percentile(Float64Array.from(b.rates).sort(), 50),
          rateServed: percentile(Float64Array.from(b.served).sort(), 50),
        };
      });
  }
}
