import { addDays, minutesOfDay } from '../../../lib/seoul-time.ts';

/** Dates of each dose: dose i (1-based) falls on `firstDate + (i − 1) × intervalDays`. */
export function doseDates(firstDate: string, doses: number, intervalDays: number): string[] {
  if (!Number.isSafeInteger(doses) || doses < 1) throw new RangeError(`doses must be an integer ≥ 1, got ${doses}`);
  if (!Number.isSafeInteger(intervalDays) || intervalDays < (doses > 1 ? 1 : 0)) {
    throw new RangeError(`intervalDays must be a positive integer, got ${intervalDays}`);
  }
  return Array.from({ length: doses }, (_, i) => addDays(firstDate, i * intervalDays));
}

/** `HH:MM` candidates ordered by distance in minutes from `wanted`, ties going to the earlier time. */
export function nearestTimes(wanted: string, candidates: readonly string[]): string[] {
  const target = minutesOfDay(wanted);
  // Dose 2 keeps dose 1's time when free, else the nearest free time that day.
  return candidates
    .map((time) => ({ time, minutes: minutesOfDay(time) }))
    .sort((a, b) => Math.abs(a.minutes - target) - Math.abs(b.minutes - target) || a.minutes - b.minutes)
    .map((c) => c.time);
}
