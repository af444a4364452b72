import { AbandonedPositions } from './abandoned-positions.ts';
import { ActiveAdmissions } from './active-admissions.ts';
import { roundOfScore } from './prequeue-draw.ts';
import type { QueueEvent } from './queue-events.ts';
import type { QueueCheckpoint, QueueCounters } from './queue-journal.ts';
import type { LeaveResult } from './queue-store.ts';

/**
 * One campaign's queue in the in-process store (`memory-queue-store.ts`), as held in memory, and
 * the operations on it that need no store: a round's draw order and places, the smoothed rate.
 */
export interface CampaignQueue extends QueueCounters {
  /** FCFS places by person. */
  positions: Map<string, number>;
  /** Pre-queue members of every round by person: score round × 2^40 + secret draw (prequeue-draw.ts). */
  prequeue: Map<string, number>;
  /** Places of the members of opened rounds (base of their round + rank by draw). */
  drawnPlaces: Map<string, number>;
  /**
   * People whose last place was given up (`leave`), with its position: not in line unless they
   * joined again (`positions` then holds their new place). A drawn member stays in `prequeue` and
   * `drawnPlaces`, so the others of their round keep their ranks.
   */
  left: Map<string, number>;
  abandoned: AbandonedPositions;
  /** Places handed out: the last place of the queue. */
  issued: number;
  /** Each opened round's base, in order (rounds open in order). */
  bases: number[];
  admissions: ActiveAdmissions;
  /** People whose admission ended in a booking (their later admissions are outside the cap). */
  booked: Set<string>;
  /** Changes recorded for the transparency log and not yet dropped, numbered from 1. */
  events: { seq: number; event: QueueEvent }[];
  eventSeq: number;
}

/** A campaign's queue before anyone joined it. */
export function emptyCampaignQueue(): CampaignQueue {
  return {
    positions: new Map(),
    prequeue: new Map(),
    drawnPlaces: new Map(),
    left: new Map(),
    abandoned: new AbandonedPositions(),
    issued: 0,
    bases: [],
    servingUpTo: 0,
    carry: 0,
    lastTickMs: null,
    paused: false,
    pausedReason: null,
    closed: false,
    admissions: new ActiveAdmissions(),
    booked: new Set(),
    events: [],
    eventSeq: 0,
    admitted: 0,
    rate: { mean: 0, variance: 0, samples: 0 },
    targetRate: 0,
  };
}

/** The counters the journal keeps of a queue (places and admissions are journalled one by one). */
export function checkpointOf(q: CampaignQueue): QueueCheckpoint {
  return {
    issued: q.issued,
    bases: [...q.bases],
    servingUpTo: q.servingUpTo,
    carry: q.carry,
    lastTickMs: q.lastTickMs,
    paused: q.paused,
    pausedReason: q.pausedReason,
    closed: q.closed,
    admitted: q.admitted,
    rate: { ...q.rate },
    targetRate: q.targetRate,
  };
}

/** Puts a checkpoint's counters back (places, rounds and `issued` are the restore's to rebuild). */
export function restoreCounters(q: CampaignQueue, state: QueueCheckpoint): void {
  Object.assign(q, { servingUpTo: state.servingUpTo, carry: state.carry, lastTickMs: state.lastTickMs, paused: state.paused, pausedReason: state.pausedReason, closed: state.closed, admitted: state.admitted, rate: { ...state.rate }, targetRate: state.targetRate });
}

/** The members of round `round` in draw order (ties by person key, as Redis's sorted set). */
export function membersOf(q: CampaignQueue, round: number): string[] {
  const members = [...q.prequeue].filter(([, score]) => roundOfScore(score) === round);
  members.sort((a, b) => a[1] - b[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  return members.map(([person]) => person);
}

/** Gives round `round`'s members the places base + 1 … base + size by draw (ties by person key); returns the size. */
export function placeRound(q: CampaignQueue, round: number, base: number): number {
  const members = membersOf(q, round);
  members.forEach((person, index) => q.drawnPlaces.set(person, base + index + 1));
  q.bases[round] = base;
  return members.length;
}

/** Weight of the newest sample in the smoothed admission rate (as Redis's tick script). */
const ALPHA = 0.2;

/** Folds an advance of the queue into its smoothed rate and deviation (exponentially weighted). */
export function observeRate(q: CampaignQueue, served: number, seconds: number): void {
  const rate = served / seconds;
  if (q.rate.samples === 0) q.rate.mean = rate;
  else {
    const delta = rate - q.rate.mean;
    q.rate.mean += ALPHA * delta;
    q.rate.variance = (1 - ALPHA) * (q.rate.variance + ALPHA * delta * delta);
  }
  q.rate.samples += 1;
}

/** The person's place: a first-come one, else (unless they left it) the one their round drew. */
export function placeOf(q: CampaignQueue, personKey: string): number | null {
  return q.positions.get(personKey) ?? (q.left.has(personKey) ? null : q.drawnPlaces.get(personKey)) ?? null;
}

/**
 * What a `leave` of the ticket's place (`position`, null for a pre-queue ticket) comes to: the
 * answer when nothing changes (left before: idempotent; served; not drawn yet; not theirs), or
 * `leave` with the place to give up.
 */
export function leaveOutcome(q: CampaignQueue, personKey: string, position: number | null, nowMs: number): LeaveResult | { outcome: 'leave'; position: number } {
  if (position !== null && q.abandoned.has(position)) return { outcome: 'left', position };
  const current = placeOf(q, personKey);
  if (current === null) {
    const left = q.left.get(personKey);
    if (position === null && left !== undefined) return { outcome: 'left', position: left };
    return { outcome: q.prequeue.has(personKey) && left === undefined ? 'prequeue' : 'not-in-line' };
  }
  if (position !== null && position !== current) return { outcome: 'not-in-line' };
  const admission = q.admissions.get(personKey);
  if (current <= q.servingUpTo || (admission !== undefined && admission.expiresAtMs > nowMs)) return { outcome: 'served' };
  return { outcome: 'leave', position: current };
}
