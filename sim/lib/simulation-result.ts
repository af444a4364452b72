/**
 * What a simulation run found: the invariants (each must be zero), the flow of the night, the
 * accuracy of the wait estimate, and series per second for the charts. Also the after-the-run
 * analyses that need the whole night: the ETA check and the order inversions.
 */
import { waitFor } from '../../src/modules/waiting-room/domain/eta.ts';
import { EtaBreakdown, type EtaGroup } from './eta-breakdown.ts';

export interface Invariants {
  /** Doses taken beyond what was on sale (the model's ledger). */
  oversold: number;
  /** A person holding two bookings (the model's ledger). */
  doubleBookings: number;
  /**
   * Bounces: a person whose place changed between devices or calls, a device given a second
   * place, a served person refused admission, an admission that expired under an active booker,
   * or `servingUpTo` moving back.
   */
  bounces: number;
  /** A person refused (425) while someone behind them in the queue already held an admission. */
  fairnessInversions: number;
  /** First-come places out of arrival order, or pre-queue places that are not a permutation of 1..K. */
  orderViolations: number;
  /** Two devices of one person given different admissions. */
  splitAdmissions: number;
}

export interface SeriesPerSecond {
  /** Seconds from the opening instant of index 0. */
  startSecond: number;
  requests: Float64Array;
  admissions: Float64Array;
  bookings: Float64Array;
  queueLength: Float64Array;
  admitRate: Float64Array;
  targetRate: Float64Array;
  activeAdmissions: Float64Array;
  bookingBacklog: Float64Array;
}

export interface EtaAccuracy {
  /** People whose wait was measured (served while still there). */
  measured: number;
  /** Share whose actual wait was within ±25% of the first estimate (1 s floor: the status document's max-age). */
  withinQuarter: number;
  /** Share whose actual wait was at most the first p90 estimate. */
  withinP90: number;
  medianAbsoluteErrorSeconds: number;
  /** Share of people whose first estimate was taken before the queue had measured a rate (none shown then). */
  noEstimateShare: number;
  /** People served before any estimate was shown to them (not measured: they were promised nothing). */
  servedBeforeEstimate: number;
  /** The same by when the first estimate was taken and by what it said (where it goes wrong). */
  groups: EtaGroup[];
}

export interface SimulationResult {
  invariants: Invariants;
  /** Each bounce by what happened. */
  bounceReasons: Record<string, number>;
  people: number;
  prequeuePeople: number;
  meanDevices: number;
  eligible: number;
  outcomes: Record<string, number>;
  requestsFirstMinute: number;
  /** Of them, polls of the shared status document (one cached document: a CDN can answer them). */
  pollsFirstMinute: number;
  requestsTotal: number;
  /** Status codes the simulated clients would have seen, by code. */
  statuses: Record<string, number>;
  /** Pairs admitted in another order than their places because clients ask at different moments (information). */
  clientOrderInversions: number;
  eta: EtaAccuracy;
  /** Simulated seconds from the queue opening to the last person resolved (or the cap). */
  simulatedSeconds: number;
  secondsToDrain: number | null;
  series: SeriesPerSecond;
  doses: { onSale: number; booked: number; cancelled: number; remaining: number };
  maxBookingLatencyMs: number;
  wallSeconds: number;
  peakHeapMb: number;
}

/** Per refresh: what the shared status said (for the ETA check). */
export interface TickLog {
  tickSeconds: number;
  serving: Float64Array;
  /** The pace the estimate divides by (`etaRatePerSecond`, 0 while none is given) and its spread. */
  rate: Float64Array;
  deviation: Float64Array;
  /** Simulated second (from the opening) of tick 0. */
  startSecond: number;
}

/**
 * ETA accuracy: each person's first estimate is what the client computes from the first status
 * document showing a measured rate once they have a place (pre-queue people: from the opening);
 * the actual wait runs from then to the refresh that served their place.
 */
export function etaAccuracy(ticks: TickLog, firstPlaceAt: Float64Array, position: Int32Array, servedAt: Float64Array): EtaAccuracy {
  const count = ticks.serving.length;
  // nextRated[k]: first tick ≥ k with a measured rate (the estimate a client sees from then on).
  const nextRated = new Int32Array(count + 1).fill(-1);
  for (let k = count - 1; k >= 0; k--) nextRated[k] = ticks.rate[k]! > 0 ? k : nextRated[k + 1]!;
  const errors: number[] = [];
  let within = 0;
  let withinP90 = 0;
  let noEstimate = 0;
  let servedBeforeEstimate = 0;
  const breakdown = new EtaBreakdown();
  for (let i = 0; i < position.length; i++) {
    if (!Number.isFinite(servedAt[i]!) || position[i]! <= 0) continue;
    const startTick = Math.max(0, Math.ceil((firstPlaceAt[i]! - ticks.startSecond) / ticks.tickSeconds));
    const k = startTick < count ? nextRated[startTick]! : -1;
    const seenAt = k < 0 ? Infinity : ticks.startSecond + k * ticks.tickSeconds;
    if (servedAt[i]! < seenAt) {
      servedBeforeEstimate++; // served before any estimate was shown: nothing was promised
      continue;
    }
    if (k > startTick) noEstimate++;
    // The client's own computation from the status it polled (the same function the server uses).
    const { eta } = waitFor(position[i]!, { servingUpTo: ticks.serving[k]!, etaRatePerSecond: ticks.rate[k]!, etaRateDeviation: ticks.deviation[k]! });
    const estimate = eta.p50Seconds ?? 0;
    const actual = servedAt[i]! - seenAt;
    const error = Math.abs(actual - estimate);
    errors.push(error);
    const close = error <= Math.max(1, 0.25 * estimate);
    if (close) within++;
    breakdown.add(seenAt, Math.max(0, position[i]! - ticks.serving[k]!), estimate, ticks.rate[k]!, actual, close);
    if (actual <= Math.max(1, eta.p90Seconds ?? 0)) withinP90++;
  }
  const sorted = Float64Array.from(errors).sort();
  const n = errors.length;
  return {
    measured: n,
    withinQuarter: n ? within / n : NaN,
    withinP90: n ? withinP90 / n : NaN,
    medianAbsoluteErrorSeconds: n ? sorted[Math.floor(n / 2)]! : NaN,
    noEstimateShare: n ? noEstimate / n : NaN,
    servedBeforeEstimate,
    groups: breakdown.groups(),
  };
}

/** Pairs (a, b) where a's place is before b's but b was admitted first: a Fenwick count over places. */
export function countInversions(placesInAdmissionOrder: Int32Array, length: number, maxPlace: number): number {
  const tree = new Int32Array(maxPlace + 2);
  let inversions = 0;
  for (let i = 0; i < length; i++) {
    const place = placesInAdmissionOrder[i]!;
    // Admitted earlier with a later place: (already admitted) − (admitted with place ≤ this one).
    let atOrBefore = 0;
    for (let j = place; j > 0; j -= j & -j) atOrBefore += tree[j]!;
    inversions += i - atOrBefore;
    for (let j = place; j <= maxPlace + 1; j += j & -j) tree[j] = tree[j]! + 1;
  }
  return inversions;
}
