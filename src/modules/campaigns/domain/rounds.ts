/**
 * Rounds: every distinct window opening of a campaign is an opening of its queue. Round r is the
 * r-th distinct opening instant (round 0 the first). People whose own window opens at W may wait
 * in round r's pre-queue from W − lead (the lead is the first opening − queueOpensAt) until W;
 * at W they are shuffled fairly and placed after everyone already in line; from W on, their
 * cohort joins first come, first served (BRIEF §4 promise 4, on every day of a rotation).
 */

export interface RoundSchedule {
  /** The distinct window opening instants (ms), ascending: round r opens at `openings[r]`. */
  openings: readonly number[];
  /** How long before its opening a round's pre-queue opens: first opening − queueOpensAt. */
  leadMs: number;
}

/** Rounds a queue can hold: the store scores a draw as round × 2^40 + draw, exact below 2^53. */
export const MAX_ROUNDS = 8192;

/** The rounds of a campaign from its queue opening and its windows (any order, duplicates merged). */
export function roundScheduleOf(queueOpensAt: Date, windows: readonly { opensAt: Date }[]): RoundSchedule {
  const openings = [...new Set(windows.map((w) => w.opensAt.getTime()))].sort((a, b) => a - b);
  if (openings.length > MAX_ROUNDS) throw new RangeError(`a campaign has at most ${MAX_ROUNDS} distinct window openings`);
  const first = openings[0];
  return { openings, leadMs: first === undefined ? 0 : Math.max(0, first - queueOpensAt.getTime()) };
}

/** How many rounds have opened at `nowMs` (openings at or before it: a round opens at its instant exactly). */
export function roundsDue(schedule: RoundSchedule, nowMs: number): number {
  let due = 0;
  while (due < schedule.openings.length && schedule.openings[due]! <= nowMs) due += 1;
  return due;
}

/** The next opening after `nowMs`, or null when every round has opened. */
export function nextOpening(schedule: RoundSchedule, nowMs: number): number | null {
  return schedule.openings[roundsDue(schedule, nowMs)] ?? null;
}

/**
 * How a join at `nowMs` is placed, given when the person's own window opens (the first of their
 * windows not closed yet; null when they have none):
 * - `prequeue`: W − lead ≤ now < W — into round r's pre-queue; eligibility is judged as of W.
 * - `fcfs`: their window is open (W ≤ now) — first come, first served; eligibility as of now.
 * - `early`: before W − lead, or no window — refused as today (eligibility as of now says why).
 */
export type JoinPlan =
  | { kind: 'prequeue'; round: number; asOf: Date }
  | { kind: 'fcfs'; asOf: Date }
  | { kind: 'early'; asOf: Date };

/** Decides a join's round from the person's window opening (pure; cheap on the join's hot path). */
export function planJoin(schedule: RoundSchedule, windowOpensAtMs: number | null, nowMs: number): JoinPlan {
  const now = new Date(nowMs);
  if (windowOpensAtMs === null) return { kind: 'early', asOf: now };
  if (windowOpensAtMs <= nowMs) return { kind: 'fcfs', asOf: now };
  if (nowMs < windowOpensAtMs - schedule.leadMs) return { kind: 'early', asOf: now };
  const round = schedule.openings.indexOf(windowOpensAtMs);
  // A window always opens at one of the openings; if the campaign changed under us, be conservative.
  if (round < 0) return { kind: 'early', asOf: now };
  return { kind: 'prequeue', round, asOf: new Date(windowOpensAtMs) };
}
