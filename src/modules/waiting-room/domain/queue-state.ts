/** The states of a campaign's waiting room (API.md shared status document). */
export type QueueState = 'scheduled' | 'prequeue' | 'open' | 'paused' | 'closed';

export interface QueueSchedule {
  /** When people may start joining (the pre-queue). */
  queueOpensAt: Date;
  /** The opening instant: pre-queue joiners are shuffled here, and first come first served after. */
  opensAt: Date;
  /** After this no one new is admitted (the last window's close). */
  closesAt: Date;
}

/** The state at `now` (server clock); an operator's pause or close overrides the schedule. */
export function queueState(schedule: QueueSchedule, now: Date, flags: { paused: boolean; closed: boolean }): QueueState {
  const t = now.getTime();
  if (flags.closed || t >= schedule.closesAt.getTime()) return 'closed';
  if (t < schedule.queueOpensAt.getTime()) return 'scheduled';
  if (t < schedule.opensAt.getTime()) return 'prequeue';
  return flags.paused ? 'paused' : 'open';
}

/** Whether a join at `now` goes to the pre-queue (shuffled at the opening) rather than first come, first served. */
export function joinsPrequeue(schedule: QueueSchedule, now: Date): boolean {
  const t = now.getTime();
  return t >= schedule.queueOpensAt.getTime() && t < schedule.opensAt.getTime();
}
