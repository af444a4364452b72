/**
 * What a worker's citizens found on their journeys (journey.ts), in forms that merge across
 * workers: outcomes, bounces and anomalies, admissions and refusals, the wait estimates they were
 * shown and how they held, and admissions and bookings per second.
 */
import { PerSecond, type Counts } from './tallies.ts';

/** What a worker's citizens found, in forms that merge across workers. */
export interface JourneyRecord {
  outcomes: Counts;
  bounces: Counts;
  /** Things that must never happen, by what happened (a second booking accepted, …). */
  anomalies: Counts;
  /** When each bounce and each anomaly happened (epoch ms): the chaos suite tells which fault it followed. */
  bounceTimes: number[];
  anomalyTimes: number[];
  /** Flat [place, epoch ms] of each person's first admission. */
  admissions: number[];
  /** Flat [place, epoch ms sent] of each 425 on the admission call. */
  refusals: number[];
  /**
   * `unestimated`: admitted before any estimate was shown to them (not measured). The `waiters`
   * counts are over everyone admitted more than 5 s after their place (BRIEF §4.5: each of them
   * must have seen an estimate within 5 s of joining): how many, how many saw none in time, and
   * how many were served within ±25% of their first estimate (a late or missing one counts as a miss).
   */
  eta: EtaCounts;
  /** Flat [place, epoch ms, p50 s, p90 s, places ahead] of each person's first estimate (checked against the status at the end). */
  estimates: number[];
  /** Flat [place, epoch ms they learnt it] of each person admitted more than 5 s after their place (checked against the sampled status at the end). */
  waitersPlacedAt: number[];
  admissionsPerSecond: PerSecond;
  bookingsPerSecond: PerSecond;
  booked201: number;
  cancelled: number;
  changed: number;
}

export interface EtaCounts {
  measured: number;
  withinQuarter: number;
  withinP90: number;
  unestimated: number;
  waiters: number;
  waitersWithoutEstimate: number;
  waitersWithinQuarter: number;
}

export const emptyEtaCounts = (): EtaCounts => ({ measured: 0, withinQuarter: 0, withinP90: 0, unestimated: 0, waiters: 0, waitersWithoutEstimate: 0, waitersWithinQuarter: 0 });

export function newRecord(offsetSeconds: number): JourneyRecord {
  return {
    outcomes: {},
    bounces: {},
    anomalies: {},
    bounceTimes: [],
    anomalyTimes: [],
    admissions: [],
    refusals: [],
    eta: emptyEtaCounts(),
    estimates: [],
    waitersPlacedAt: [],
    admissionsPerSecond: new PerSecond(offsetSeconds),
    bookingsPerSecond: new PerSecond(offsetSeconds),
    booked201: 0,
    cancelled: 0,
    changed: 0,
  };
}
