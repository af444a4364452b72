/**
 * What a load worker counts, in forms that add up across worker processes: latency histograms
 * with logarithmic buckets (2% wide: percentiles within 2%, a few hundred numbers per endpoint),
 * status counts, and counters per second since the opening.
 */

const GROWTH = 1.02;
const LOG_GROWTH = Math.log(GROWTH);
/** Latencies are kept from 0.05 ms up; anything below falls into bucket 0. */
const FLOOR_MS = 0.05;

/** A mergeable latency histogram: bucket i holds latencies in [FLOOR·1.02^i, FLOOR·1.02^(i+1)). */
export type Histogram = Record<number, number>;

export function record(h: Histogram, ms: number): void {
  const bucket = ms <= FLOOR_MS ? 0 : Math.floor(Math.log(ms / FLOOR_MS) / LOG_GROWTH);
  h[bucket] = (h[bucket] ?? 0) + 1;
}

export function mergeHistogram(into: Histogram, from: Histogram): void {
  for (const [bucket, n] of Object.entries(from)) into[Number(bucket)] = (into[Number(bucket)] ?? 0) + n;
}

export function histogramCount(h: Histogram): number {
  return Object.values(h).reduce((a, b) => a + b, 0);
}

/** The latency at percentile `p` (0–100): the upper edge of the bucket that holds it. */
export function percentile(h: Histogram, p: number): number {
  const total = histogramCount(h);
  if (total === 0) return NaN;
  const rank = Math.ceil((p / 100) * total);
  let seen = 0;
  for (const bucket of Object.keys(h).map(Number).sort((a, b) => a - b)) {
    seen += h[bucket]!;
    if (seen >= rank) return FLOOR_MS * GROWTH ** (bucket + 1);
  }
  return NaN;
}

/** Counts by key (e.g. `409 YEYAK_ERR_SOLD_OUT`). */
export type Counts = Record<string, number>;

export function tally(counts: Counts, key: string, n = 1): void {
  counts[key] = (counts[key] ?? 0) + n;
}

export function mergeCounts(into: Counts, from: Counts): void {
  for (const [key, n] of Object.entries(from)) tally(into, key, n);
}

/** Counters per whole second since the opening; index 0 is `offsetSeconds` before it. */
export class PerSecond {
  readonly values: number[] = [];
  constructor(readonly offsetSeconds: number) {}

  add(secondsFromOpening: number, n = 1): void {
    const i = Math.max(0, Math.floor(secondsFromOpening + this.offsetSeconds));
    while (this.values.length <= i) this.values.push(0);
    this.values[i]! += n;
  }
}

export function mergePerSecond(into: number[], from: number[]): void {
  for (let i = 0; i < from.length; i++) into[i] = (into[i] ?? 0) + (from[i] ?? 0);
}

/** A bounce (a place moved or lost, a ticket or admission refused after being granted): counted by reason, and when (epoch ms). */
export function bounced(record: { bounces: Counts; bounceTimes: number[] }, reason: string): void {
  tally(record.bounces, reason);
  record.bounceTimes.push(Date.now());
}

/** Something that must never happen: counted by what happened, and when (epoch ms). */
export function anomaly(record: { anomalies: Counts; anomalyTimes: number[] }, what: string): void {
  tally(record.anomalies, what);
  record.anomalyTimes.push(Date.now());
}
