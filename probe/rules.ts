/**
 * The probe's own reading of the eligibility rules (BRIEF §3), written apart from the server's
 * (`src/modules/campaigns/domain`, `src/modules/eligibility/domain`) and from the public campaign
 * document alone (`GET /api/v1/campaigns`), so that a bug in the server's reading of a date or of
 * the clock — July 2021's "not eligible" for six hours — shows as a disagreement. Instants are
 * compared as epoch milliseconds; calendar dates as `YYYY-MM-DD` strings; Seoul is UTC+9 all year.
 * Nothing here reads the process's time zone.
 */

/** A campaign as `GET /api/v1/campaigns` publishes it (the fields the rules read). */
export interface PublicCampaign {
  id: string;
  cohort: { bornFrom: string; bornTo: string };
  windows: PublicWindow[];
}

interface PublicWindow {
  id: string;
  opensAt: string;
  closesAt: string;
  birthDayDigits: number[] | null;
  bornFrom?: string | null;
  bornTo?: string | null;
}

/** `GET …/my-window`'s answer. */
type DayAnswer = 'OPEN_NOW' | 'UPCOMING' | 'NOT_IN_COHORT' | 'CLOSED';

export interface ExpectedDay {
  answer: DayAnswer;
  birthDayDigit: number;
  /** The first of the person's own windows not closed yet (by opening), or null. */
  nextWindowId: string | null;
}

const SEOUL_OFFSET_MS = 9 * 3_600_000;
const DAY_MS = 86_400_000;

/** The Seoul calendar date of an instant. */
export function seoulDateOf(epochMs: number): string {
  return new Date(epochMs + SEOUL_OFFSET_MS).toISOString().slice(0, 10);
}

/** `date` moved by `days` calendar days. */
export function shiftDate(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);
}

/** True for a real calendar date written `YYYY-MM-DD` (no 02-30, a 02-29 only in leap years). */
export function isCalendarDate(date: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) return false;
  const ms = Date.parse(`${date}T00:00:00Z`);
  return !Number.isNaN(ms) && new Date(ms).toISOString().slice(0, 10) === date;
}

const within = (date: string, from: string | null | undefined, to: string | null | undefined) => (from == null || date >= from) && (to == null || date <= to);

/** The day of month's last digit: 9, 19 and 29 → 9; 10, 20 and 30 → 0. */
function digitOf(birthDate: string): number {
  return Number(birthDate.slice(8, 10)) % 10;
}

/** The person's own windows — digit and age band admit them — by opening instant. */
function ownWindows(campaign: PublicCampaign, birthDate: string): PublicWindow[] {
  const digit = digitOf(birthDate);
  return campaign.windows
    .filter((w) => (w.birthDayDigits === null || w.birthDayDigits.includes(digit)) && within(birthDate, w.bornFrom, w.bornTo))
    .map((w, i) => ({ w, i, opens: Date.parse(w.opensAt) }))
    .sort((a, b) => a.opens - b.opens || a.i - b.i)
    .map(({ w }) => w);
}

/** What `GET …/my-window?birthDate=` must answer at `nowMs` (windows open at opensAt, closed at closesAt). */
export function expectedDay(campaign: PublicCampaign, birthDate: string, nowMs: number): ExpectedDay {
  const birthDayDigit = digitOf(birthDate);
  if (!within(birthDate, campaign.cohort.bornFrom, campaign.cohort.bornTo)) return { answer: 'NOT_IN_COHORT', birthDayDigit, nextWindowId: null };
  const open = ownWindows(campaign, birthDate).filter((w) => nowMs < Date.parse(w.closesAt));
  const first = open[0];
  if (!first) return { answer: 'CLOSED', birthDayDigit, nextWindowId: null };
  const openNow = open.some((w) => Date.parse(w.opensAt) <= nowMs);
  return { answer: openNow ? 'OPEN_NOW' : 'UPCOMING', birthDayDigit, nextWindowId: first.id };
}

/**
 * What `GET /me` must say of a synthetic person in a real campaign: the rules' answer, where
 * `SYNTHETIC_PERSON` stands for "every rule admits this birth date now" (a synthetic person is
 * never vaccinated, on no priority list and holds no citizen's booking). The window is the one
 * open now, else the next.
 */
export function expectedEligibility(campaign: PublicCampaign, birthDate: string, nowMs: number): { reason: string; windowId: string | null } {
  const day = expectedDay(campaign, birthDate, nowMs);
  switch (day.answer) {
    case 'NOT_IN_COHORT':
      return { reason: 'NOT_IN_COHORT', windowId: null };
    case 'CLOSED':
      return { reason: 'CAMPAIGN_CLOSED', windowId: null };
    case 'UPCOMING':
      return { reason: 'NOT_YOUR_WINDOW', windowId: day.nextWindowId };
    case 'OPEN_NOW':
      return { reason: 'SYNTHETIC_PERSON', windowId: null };
  }
}

/**
 * The birth dates at every edge of a campaign's rules: the cohort's first and last days and the
 * days either side, each window's age band likewise, a date for every rotation digit, the 29th,
 * 30th and 31st, and a leap day — those that are real dates no later than `today`.
 */
export function edgeBirthDates(campaign: PublicCampaign, today: string): string[] {
  const { bornFrom, bornTo } = campaign.cohort;
  const dates = new Set<string>();
  const around = (date: string) => [shiftDate(date, -1), date, shiftDate(date, 1)];
  for (const d of [...around(bornFrom), ...around(bornTo)]) dates.add(d);
  for (const w of campaign.windows) for (const bound of [w.bornFrom, w.bornTo]) if (bound) for (const d of around(bound)) dates.add(d);
  // A year inside the cohort (its middle), for the calendar's edges.
  const year = Math.round((Number(bornFrom.slice(0, 4)) + Number(bornTo.slice(0, 4))) / 2);
  for (let day = 1; day <= 10; day += 1) dates.add(`${year}-03-${String(day).padStart(2, '0')}`);
  for (const monthDay of ['01-31', '04-30', '04-29', '02-28', '03-01', '12-31', '11-30', '11-29']) dates.add(`${year}-${monthDay}`);
  const leapYear = year - (((year % 4) + 4) % 4);
  dates.add(`${leapYear % 100 === 0 && leapYear % 400 !== 0 ? leapYear - 4 : leapYear}-02-29`);
  return [...dates].filter((d) => isCalendarDate(d) && d >= '1900-01-01' && d <= today).sort();
}
