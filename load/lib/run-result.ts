/**
 * The workers' tallies merged into one result, with the checks that need all of them: fairness
 * inversions (a person refused 425 while someone behind them already held an admission), the
 * answers that must never be (5xx other than a deliberate 503, network errors), and the invariants.
 */
import type { LogAudit } from './log-audit.ts';
import type { ControllerPoint } from './controller-sampler.ts';
import type { DatabaseCheck } from './db-check.ts';
import type { OpeningNightOptions } from './opening-night-run.ts';
import { EtaBreakdown, type EtaGroup } from '../../sim/lib/eta-breakdown.ts';
import type { ProcessFigures, StatusPoint } from './samplers.ts';

/** Numbers per first estimate in `estimates`: place, epoch ms, p50 s, p90 s, places ahead. */
const ESTIMATE_FIELDS = 5;
import type { Seeded } from './seed.ts';
import { mergeCounts, mergeHistogram, mergePerSecond, type Counts, type Histogram } from './tallies.ts';
import type { WorkerResult } from './worker.ts';
import { emptyEtaCounts, type EtaCounts } from './journey-record.ts';
import { DELIBERATE_503 } from './client.ts';

/** 503s the app sends on purpose (load shed, store unreachable), with an error code and Retry-After. */
/**
 * With several nodes each serves from its own snapshot, refreshed every 250 ms: a node a refresh
 * behind — later still when its event loop is delayed, up to the 1 s at which it sheds load — may
 * say 425 to a place another node has just admitted. 1.5 s of grace.
 */
const MULTI_NODE_GRACE_MS = 1500;

interface LoadInvariants {
  /** Slots with more live doses than capacity, and slots whose counter disagrees with their doses. */
  oversoldSlots: number;
  counterDrift: number;
  doubleBookings: number;
  /** 201s with no booking behind them in the database. */
  lostBookings: number;
  bounces: number;
  fairnessInversions: number;
  unexpected5xx: number;
  networkErrors: number;
  /** Things no client may ever see (a second booking accepted, one key booked twice…). */
  anomalies: number;
}

export interface OpeningNightResult {
  options: Omit<OpeningNightOptions, 'log'>;
  mode: 'embedded' | 'scale-out';
  campaignId: string;
  seeded: Seeded;
  setupOverrunSeconds: number;
  invariants: LoadInvariants;
  bounceReasons: Counts;
  /** When each bounce and each anomaly happened (epoch ms). */
  bounceTimes: number[];
  anomalyTimes: number[];
  anomalyReasons: Counts;
  unexpectedAnswers: Counts;
  latency: Record<string, Histogram>;
  statuses: Record<string, Counts>;
  /** Per endpoint: the 503s the front door answered while saturated, by cause. */
  shed: Record<string, Counts>;
  clientWait: Histogram;
  /** Per second from `offsetSeconds` before the opening. */
  offsetSeconds: number;
  requestsPerSecond: number[];
  /** Per second: answers neither 2xx/4xx nor a deliberate 503, and deliberate 503s (index 0 is `offsetSeconds` before the opening). */
  failuresPerSecond: number[];
  deliberatePerSecond: number[];
  admissionsPerSecond: number[];
  bookingsPerSecond: number[];
  statusPoints: StatusPoint[];
  /** The admission controller as one node saw it, once a second. */
  controllerPoints: ControllerPoint[];
  outcomes: Counts;
  /** Measured by the clients: first estimate to the admission they got (their polling lag included). */
  eta: EtaCounts;
  /**
   * Of everyone admitted more than 5 s after their place: how many the sampled status offered no estimate (no pace) within 5 s
   * of their place, and how many its first estimate served within ±25% — what the server gave, whatever delayed the clients.
   */
  estimateOffered: { waiters: number; withoutWithin5s: number; withinQuarter: number };
  /** Measured by the server's status: first estimate to the status first showing their place served (±1 s: sampled each second). */
  etaServed: { measured: number; withinQuarter: number; withinP90: number; groups: EtaGroup[] };
  booked201: number;
  cancelled: number;
  changed: number;
  database: DatabaseCheck;
  processes: { processes: ProcessFigures[]; machineBusyCores: number | null; seconds: number };
  /** The queue's public log audited after the night (absent before the audit ran; null when no log is kept). */
  queueLog?: LogAudit | null;
}

/**
 * For each waiter (flat [place, epoch ms placed]), what the server offered them: whether a sampled
 * status within 5 s of their place carried a pace, and whether the first such estimate
 * (places ahead ÷ that pace, as the status computes it) came within ±25% (1 s floor) of when the
 * sampled status first served their place. A missing or late estimate is a miss.
 */
export function estimateOffered(waiters: number[], points: StatusPoint[], openingMs: number): { waiters: number; withoutWithin5s: number; withinQuarter: number } {
  const at = points.map((p) => openingMs + p.secondsFromOpening * 1000);
  const firstAtOrAfter = (ok: (i: number) => boolean): number => {
    // Both the sample times and servingUpTo only grow: binary search on the predicate.
    let lo = 0;
    let hi = points.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (ok(mid)) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  };
  let without = 0;
  let withinQuarter = 0;
  for (let w = 0; w < waiters.length; w += 2) {
    const [place, placedAt] = [waiters[w]!, waiters[w + 1]!];
    // Status samples are a second apart: the window [t, t + 5 s] holds about five.
    let offered = -1;
    for (let i = firstAtOrAfter((i) => at[i]! >= placedAt); i < points.length && at[i]! <= placedAt + 5_000; i++) {
      if (points[i]!.etaRate !== null) {
        offered = i;
        break;
      }
    }
    if (offered < 0) {
      without++;
      continue;
    }
    const s = points[offered]!;
    const p50 = Math.ceil(Math.max(0, place - s.servingUpTo) / s.etaRate!);
    const served = firstAtOrAfter((i) => points[i]!.servingUpTo >= place);
    if (served === points.length) continue;
    const actual = Math.max(0, at[served]! - at[offered]!) / 1000;
    if (Math.abs(actual - p50) <= Math.max(1, 0.25 * p50)) withinQuarter++;
  }
  return { waiters: waiters.length / 2, withoutWithin5s: without, withinQuarter };
}

/** Each first estimate against when the sampled status first served that place: overall, and where it goes wrong. */
function servedEta(estimates: number[], points: StatusPoint[], openingMs: number): { measured: number; withinQuarter: number; withinP90: number; groups: EtaGroup[] } {
  const served = points.map((p) => p.servingUpTo);
  const at = points.map((p) => openingMs + p.secondsFromOpening * 1000);
  const result = { measured: 0, withinQuarter: 0, withinP90: 0 };
  const breakdown = new EtaBreakdown();
  for (let e = 0; e < estimates.length; e += ESTIMATE_FIELDS) {
    const [place, estimatedAt, p50, p90, ahead] = [estimates[e]!, estimates[e + 1]!, estimates[e + 2]!, estimates[e + 3]!, estimates[e + 4]!];
    // servingUpTo never goes back: the first sample at or past the place (binary search).
    let lo = 0;
    let hi = served.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (served[mid]! >= place) hi = mid;
      else lo = mid + 1;
    }
    if (lo === served.length) continue;
    const actual = Math.max(0, at[lo]! - estimatedAt) / 1000;
    const within = Math.abs(actual - p50) <= Math.max(1, 0.25 * p50);
    result.measured++;
    if (within) result.withinQuarter++;
    if (actual <= Math.max(1, p90)) result.withinP90++;
    breakdown.add((estimatedAt - openingMs) / 1000, ahead, p50, ahead / Math.max(1, p50), actual, within);
  }
  return { ...result, groups: breakdown.groups() };
}

/** Refusals (flat [place, sent ms]) made while a later place had already been admitted (flat [place, ms]). */
function fairnessInversions(admissions: number[], refusals: number[], graceMs: number): number {
  const order = Array.from({ length: admissions.length / 2 }, (_, i) => i).sort((a, b) => admissions[2 * a + 1]! - admissions[2 * b + 1]!);
  const times = order.map((i) => admissions[2 * i + 1]!);
  const maxPlace: number[] = [];
  let max = 0;
  for (const i of order) maxPlace.push((max = Math.max(max, admissions[2 * i]!)));
  let inversions = 0;
  for (let r = 0; r < refusals.length; r += 2) {
    const place = refusals[r]!;
    const before = refusals[r + 1]! - graceMs;
    // Last admission at or before `before` (binary search over the sorted times).
    let lo = 0;
    let hi = times.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (times[mid]! <= before) lo = mid + 1;
      else hi = mid;
    }
    if (lo > 0 && maxPlace[lo - 1]! > place) inversions++;
  }
  return inversions;
}

export function mergeRuns(input: {
  options: OpeningNightOptions;
  mode: 'embedded' | 'scale-out';
  seeded: Seeded;
  campaignId: string;
  results: WorkerResult[];
  statusPoints: StatusPoint[];
  controllerPoints: ControllerPoint[];
  processes: OpeningNightResult['processes'];
  database: DatabaseCheck;
  setupOverrunSeconds: number;
  openingMs: number;
}): OpeningNightResult {
  const { log: _log, ...options } = input.options;
  const latency: Record<string, Histogram> = {};
  const statuses: Record<string, Counts> = {};
  const shed: Record<string, Counts> = {};
  const clientWait: Histogram = {};
  const outcomes: Counts = {};
  const bounceReasons: Counts = {};
  const anomalyReasons: Counts = {};
  const [bounceTimes, anomalyTimes]: [number[], number[]] = [[], []];
  const [requestsPerSecond, failuresPerSecond, deliberatePerSecond]: [number[], number[], number[]] = [[], [], []];
  const [admissionsPerSecond, bookingsPerSecond]: [number[], number[]] = [[], []];
  const admissions: number[] = [];
  const refusals: number[] = [];
  const eta = emptyEtaCounts();
  const estimates: number[] = [];
  const waitersPlacedAt: number[] = [];
  let [booked201, cancelled, changed] = [0, 0, 0];
  for (const r of input.results) {
    for (const [endpoint, h] of Object.entries(r.latency)) mergeHistogram((latency[endpoint] ??= {}), h);
    for (const [endpoint, c] of Object.entries(r.statuses)) mergeCounts((statuses[endpoint] ??= {}), c);
    for (const [endpoint, c] of Object.entries(r.shed)) mergeCounts((shed[endpoint] ??= {}), c);
    mergeHistogram(clientWait, r.clientWait);
    mergeCounts(outcomes, r.outcomes);
    mergeCounts(bounceReasons, r.bounces);
    mergeCounts(anomalyReasons, r.anomalies);
    for (const x of r.bounceTimes) bounceTimes.push(x);
    for (const x of r.anomalyTimes) anomalyTimes.push(x);
    mergePerSecond(requestsPerSecond, r.requestsPerSecond);
    mergePerSecond(failuresPerSecond, r.failuresPerSecond);
    mergePerSecond(deliberatePerSecond, r.deliberatePerSecond);
    mergePerSecond(admissionsPerSecond, r.admissionsPerSecond);
    mergePerSecond(bookingsPerSecond, r.bookingsPerSecond);
    for (const x of r.admissions) admissions.push(x);
    for (const x of r.refusals) refusals.push(x);
    for (const k of Object.keys(eta) as (keyof EtaCounts)[]) eta[k] += r.eta[k];
    for (const x of r.estimates) estimates.push(x);
    for (const x of r.waitersPlacedAt) waitersPlacedAt.push(x);
    booked201 += r.booked201;
    cancelled += r.cancelled;
    changed += r.changed;
  }
  const unexpectedAnswers: Counts = {};
  let unexpected5xx = 0;
  let networkErrors = 0;
  for (const [endpoint, counts] of Object.entries(statuses)) {
    for (const [key, n] of Object.entries(counts)) {
      if (key.startsWith('network')) networkErrors += n;
      else if (key.startsWith('5') && !DELIBERATE_503.has(key)) unexpected5xx += n;
      else continue;
      unexpectedAnswers[`${endpoint}: ${key}`] = n;
    }
  }
  const sum = (c: Counts) => Object.values(c).reduce((a, b) => a + b, 0);
  const grace = input.mode === 'scale-out' && options.apps > 1 ? MULTI_NODE_GRACE_MS : 0;
  return {
    options,
    mode: input.mode,
    campaignId: input.campaignId,
    seeded: input.seeded,
    setupOverrunSeconds: input.setupOverrunSeconds,
    invariants: {
      oversoldSlots: input.database.oversoldSlots,
      counterDrift: input.database.counterDrift,
      doubleBookings: input.database.doubleBookings,
      lostBookings: Math.max(0, booked201 - input.database.liveBookings - input.database.cancelledBookings),
      bounces: sum(bounceReasons),
      fairnessInversions: fairnessInversions(admissions, refusals, grace),
      unexpected5xx,
      networkErrors,
      anomalies: sum(anomalyReasons),
    },
    bounceReasons,
    anomalyReasons,
    bounceTimes,
    anomalyTimes,
    unexpectedAnswers,
    latency,
    statuses,
    shed,
    clientWait,
    offsetSeconds: Math.ceil(options.shape.prequeueSeconds) + 5,
    requestsPerSecond,
    failuresPerSecond,
    deliberatePerSecond,
    admissionsPerSecond,
    bookingsPerSecond,
    statusPoints: input.statusPoints,
    controllerPoints: input.controllerPoints,
    outcomes,
    eta,
    etaServed: servedEta(estimates, input.statusPoints, input.openingMs),
    estimateOffered: estimateOffered(waitersPlacedAt, input.statusPoints, input.openingMs),
    booked201,
    cancelled,
    changed,
    database: input.database,
    processes: input.processes,
  };
}
