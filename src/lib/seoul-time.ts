/**
 * Calendar and clock arithmetic in Asia/Seoul.
 *
 * Seoul has been a fixed UTC+09:00 since its last daylight-saving period ended in October 1988,
 * so every conversion here is plain offset arithmetic on epoch milliseconds read through the
 * `getUTC*` accessors. Nothing reads the process time zone or Intl: the answers are the same
 * whatever `TZ` the server runs with (BRIEF §3, "Time").
 */

/** Offset of Asia/Seoul from UTC in milliseconds (+09:00, no DST). */
export const SEOUL_OFFSET_MS = 9 * 60 * 60 * 1000;

const DAY_MS = 24 * 60 * 60 * 1000;
const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;
const TIME_RE = /^([01]\d|2[0-3]):([0-5]\d)$/;
const TIME_WITH_SECONDS_RE = /^([01]\d|2[0-3]):([0-5]\d)(?::([0-5]\d))?$/;

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');

/** Epoch milliseconds of 00:00 UTC on a calendar date (setUTCFullYear keeps years < 100 literal). */
function utcMidnightMs(year: number, month: number, day: number): number {
  const t = new Date(0);
  t.setUTCFullYear(year, month - 1, day);
  return t.getTime();
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** The proleptic Gregorian calendar's leap years, as `Date` counts them. */
const isLeapYear = (year: number): boolean => (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;

/**
 * Parses a `YYYY-MM-DD` string, or returns null when it is not a real calendar date. Arithmetic
 * rather than a `Date`: every join checks the person's birth date against the cohort with it.
 */
function parseDate(s: string): { year: number; month: number; day: number } | null {
  const m = DATE_RE.exec(s);
  if (!m) return null;
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  if (month < 1 || month > 12 || day < 1) return null;
  const lastDay = month === 2 && isLeapYear(year) ? 29 : DAYS_IN_MONTH[month - 1]!;
  return day <= lastDay ? { year, month, day } : null;
}

/** Epoch milliseconds of 00:00 UTC on a valid `YYYY-MM-DD`; throws RangeError otherwise. */
function dateToUtcMs(date: string): number {
  const p = parseDate(date);
  if (!p) throw new RangeError(`invalid date "${date}" (expected a real YYYY-MM-DD)`);
  return utcMidnightMs(p.year, p.month, p.day);
}

/** Formats the UTC calendar date of epoch milliseconds as `YYYY-MM-DD` (years 0000–9999). */
function utcMsToDate(ms: number): string {
  const t = new Date(ms);
  const year = t.getUTCFullYear();
  if (Number.isNaN(year) || year < 0 || year > 9999) {
    throw new RangeError('date is outside the years 0000–9999');
  }
  return `${pad(year, 4)}-${pad(t.getUTCMonth() + 1)}-${pad(t.getUTCDate())}`;
}

/** Epoch milliseconds of an instant shifted to Seoul wall-clock time; throws on an invalid Date. */
function seoulWallMs(instant: Date): number {
  const ms = instant.getTime();
  if (Number.isNaN(ms)) throw new RangeError('invalid Date');
  return ms + SEOUL_OFFSET_MS;
}

/** True when `s` is a real calendar date written `YYYY-MM-DD` (e.g. 2028-02-29 yes, 2026-02-29 no). */
export function isValidDate(s: string): boolean {
  return parseDate(s) !== null;
}

/** True when `s` is a wall-clock time written `HH:MM`, from 00:00 to 23:59. */
export function isValidTime(s: string): boolean {
  return TIME_RE.test(s);
}

/** The Seoul calendar date (`YYYY-MM-DD`) on which an instant falls. */
export function seoulDate(instant: Date): string {
  return utcMsToDate(seoulWallMs(instant));
}

/** The instant at which Seoul wall clocks show `date` (`YYYY-MM-DD`) and `time` (`HH:MM[:SS]`). */
export function seoulInstant(date: string, time: string): Date {
  const m = TIME_WITH_SECONDS_RE.exec(time);
  if (!m) throw new RangeError(`invalid time "${time}" (expected HH:MM or HH:MM:SS, 00:00–23:59)`);
  const secondsOfDay = Number(m[1]) * 3600 + Number(m[2]) * 60 + Number(m[3] ?? 0);
  return new Date(dateToUtcMs(date) + secondsOfDay * 1000 - SEOUL_OFFSET_MS);
}

/** The calendar date `days` days after (or before, if negative) `date`. */
export function addDays(date: string, days: number): string {
  if (!Number.isSafeInteger(days)) throw new RangeError(`days must be an integer, got ${days}`);
  return utcMsToDate(dateToUtcMs(date) + days * DAY_MS);
}

/** Whole calendar days from `from` to `to` (negative when `to` is earlier). */
export function daysBetween(from: string, to: string): number {
  // UTC days are all exactly DAY_MS long, so the division is exact.
  return (dateToUtcMs(to) - dateToUtcMs(from)) / DAY_MS;
}

/** RFC 3339 in Seoul time with seconds precision (ms truncated), e.g. `2026-08-09T20:00:00+09:00`. */
export function formatSeoul(instant: Date): string {
  const wall = seoulWallMs(instant);
  const dayStart = Math.floor(wall / DAY_MS) * DAY_MS;
  const seconds = Math.floor((wall - dayStart) / 1000);
  const hh = pad(Math.floor(seconds / 3600));
  const mm = pad(Math.floor((seconds % 3600) / 60));
  return `${utcMsToDate(dayStart)}T${hh}:${mm}:${pad(seconds % 60)}+09:00`;
}

/**
 * RFC 3339 in Seoul time with milliseconds, e.g. `2026-08-09T20:00:00.250+09:00`: for instants that
 * change within a second (the status document's `updatedAt`, refreshed every 250 ms).
 */
export function formatSeoulMillis(instant: Date): string {
  const ms = ((instant.getTime() % 1000) + 1000) % 1000;
  return `${formatSeoul(instant).slice(0, 19)}.${String(ms).padStart(3, '0')}+09:00`;
}

/** Minutes since midnight of an `HH:MM` time (e.g. `20:00` → 1200). */
export function minutesOfDay(time: string): number {
  const m = TIME_RE.exec(time);
  if (!m) throw new RangeError(`invalid time "${time}" (expected HH:MM, 00:00–23:59)`);
  return Number(m[1]) * 60 + Number(m[2]);
}

/** The `HH:MM` time that is `minutes` minutes after midnight (0–1439). */
export function timeFromMinutes(minutes: number): string {
  if (!Number.isInteger(minutes) || minutes < 0 || minutes >= 24 * 60) {
    throw new RangeError(`minutes must be an integer from 0 to 1439, got ${minutes}`);
  }
  return `${pad(Math.floor(minutes / 60))}:${pad(minutes % 60)}`;
}
