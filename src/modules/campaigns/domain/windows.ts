/**
 * Campaign booking windows (BRIEF §3): the 10-day rotation by birth-day digit (10부제), then
 * catch-up windows by age band, then open booking. The rotation is data — a list of windows —
 * evaluated against the server clock; `buildTenDayRotation` only helps to write that data.
 */
import { inCohort } from './cohort.ts';
import { addDays, isValidDate, seoulInstant } from '../../../lib/seoul-time.ts';

type WindowKind = 'rotation' | 'catchup' | 'open';

export interface CampaignWindow {
  id: string;
  kind: WindowKind;
  /** First instant at which the window is open (inclusive). */
  opensAt: Date;
  /** First instant at which the window is closed again (exclusive). */
  closesAt: Date;
  /** Last digits of the birth day of month admitted; null admits everyone. */
  birthDayDigits: number[] | null;
  /** Inclusive `YYYY-MM-DD` lower bound on birth date; null = unrestricted. */
  bornFrom: string | null;
  /** Inclusive `YYYY-MM-DD` upper bound on birth date; null = unrestricted. */
  bornTo: string | null;
}

/** Last digit of the day of month of a `YYYY-MM-DD` birth date (days 9/19/29 → 9, 10/20/30 → 0). */
export function birthDayDigit(birthDate: string): number {
  if (!isValidDate(birthDate)) throw new RangeError(`birthDate "${birthDate}" is not a valid YYYY-MM-DD date`);
  return Number(birthDate.slice(8, 10)) % 10;
}

/** True when `now` is in [opensAt, closesAt): open at opensAt exactly, closed at closesAt exactly. */
export function isWindowOpen(w: CampaignWindow, now: Date): boolean {
  const t = now.getTime();
  return w.opensAt.getTime() <= t && t < w.closesAt.getTime();
}

/** True when the window's birth-day digits and age band both admit `birthDate` (time is ignored). */
export function windowAdmits(w: CampaignWindow, birthDate: string): boolean {
  const digitOk = w.birthDayDigits === null || w.birthDayDigits.includes(birthDayDigit(birthDate));
  return digitOk && inCohort(birthDate, w.bornFrom, w.bornTo);
}

/** Windows that admit `birthDate`, sorted by opensAt (stable for equal opensAt). */
export function ownWindowsFor(windows: readonly CampaignWindow[], birthDate: string): CampaignWindow[] {
  return windows
    .filter((w) => windowAdmits(w, birthDate))
    .sort((a, b) => a.opensAt.getTime() - b.opensAt.getTime());
}

/** The window open at `now` that admits `birthDate` (the earliest-opened if several), or null. */
export function currentWindowFor(
  windows: readonly CampaignWindow[],
  birthDate: string,
  now: Date,
): CampaignWindow | null {
  return ownWindowsFor(windows, birthDate).find((w) => isWindowOpen(w, now)) ?? null;
}

/** The first admitting window (by opensAt) that has not closed at `now` — open now or later — or null. */
export function nextWindowFor(
  windows: readonly CampaignWindow[],
  birthDate: string,
  now: Date,
): CampaignWindow | null {
  return ownWindowsFor(windows, birthDate).find((w) => now.getTime() < w.closesAt.getTime()) ?? null;
}

export interface TenDayRotationOptions {
  /** Seoul date on which window 1 opens. */
  firstDate: string;
  /** Seoul wall-clock opening time, `HH:MM` (default 20:00). */
  opensAtTime?: string;
  /** Seoul wall-clock closing time on the following day, `HH:MM` (default 18:00). */
  closesAtTime?: string;
  idPrefix?: string;
}

/** Ten rotation windows, window k opening on firstDate+(k−1) and admitting digit (k+8) % 10. */
export function buildTenDayRotation({
  firstDate,
  opensAtTime = '20:00',
  closesAtTime = '18:00',
  idPrefix = 'r',
}: TenDayRotationOptions): CampaignWindow[] {
  return Array.from({ length: 10 }, (_, i) => {
    const k = i + 1;
    const openDate = addDays(firstDate, i);
    return {
      id: `${idPrefix}${k}`,
      kind: 'rotation' as const,
      opensAt: seoulInstant(openDate, opensAtTime),
      closesAt: seoulInstant(addDays(openDate, 1), closesAtTime),
      // Window 1 is for days 9/19/29, window 2 for 10/20/30, window 3 for 1/11/21/31, …
      birthDayDigits: [(k + 8) % 10],
      bornFrom: null,
      bornTo: null,
    };
  });
}

function problemsOf(w: CampaignWindow): string[] {
  const problems: string[] = [];
  const name = `window "${w.id}"`;
  const opens = w.opensAt.getTime();
  const closes = w.closesAt.getTime();
  if (Number.isNaN(opens) || Number.isNaN(closes)) problems.push(`${name}: opensAt and closesAt must be valid instants`);
  else if (closes <= opens) problems.push(`${name}: closesAt must be after opensAt`);

  const digits = w.birthDayDigits;
  if (digits !== null) {
    if (digits.length === 0) problems.push(`${name}: birthDayDigits is empty (use null to admit everyone)`);
    const bad = digits.filter((d) => !Number.isInteger(d) || d < 0 || d > 9);
    if (bad.length > 0) problems.push(`${name}: birthDayDigits must be integers 0–9, got ${bad.join(', ')}`);
    const dup = digits.filter((d, i) => digits.indexOf(d) !== i);
    if (dup.length > 0) problems.push(`${name}: birthDayDigits repeats ${[...new Set(dup)].join(', ')}`);
  }

  for (const [field, value] of [['bornFrom', w.bornFrom], ['bornTo', w.bornTo]] as const) {
    if (value !== null && !isValidDate(value)) problems.push(`${name}: ${field} "${value}" is not a valid YYYY-MM-DD date`);
  }
  if (w.bornFrom !== null && w.bornTo !== null && w.bornFrom > w.bornTo) {
    problems.push(`${name}: bornFrom ${w.bornFrom} is after bornTo ${w.bornTo}`);
  }

  if (w.kind === 'rotation' && digits === null) problems.push(`${name}: a rotation window needs birthDayDigits`);
  if (w.kind === 'open' && (digits !== null || w.bornFrom !== null || w.bornTo !== null)) {
    problems.push(`${name}: an open window admits everyone (no birthDayDigits, bornFrom or bornTo)`);
  }
  return problems;
}

/** Human-readable problems with a list of windows; an empty array means the list is valid. */
export function validateWindows(windows: readonly CampaignWindow[]): string[] {
  const problems = windows.flatMap(problemsOf);

  const seen = new Set<string>();
  for (const w of windows) {
    if (seen.has(w.id)) problems.push(`duplicate window id "${w.id}"`);
    seen.add(w.id);
  }

  // Inside the rotation a person may act only in their own window, so no digit may be served by
  // two rotation windows at the same time.
  const rotation = windows.filter((w) => w.kind === 'rotation' && w.birthDayDigits !== null);
  for (const [i, a] of rotation.entries()) {
    for (const b of rotation.slice(i + 1)) {
      const timesOverlap = a.opensAt < b.closesAt && b.opensAt < a.closesAt;
      const shared = a.birthDayDigits?.filter((d) => b.birthDayDigits?.includes(d)) ?? [];
      if (timesOverlap && shared.length > 0) {
        problems.push(`rotation windows "${a.id}" and "${b.id}" overlap in time for digit(s) ${shared.join(', ')}`);
      }
    }
  }
  return problems;
}
