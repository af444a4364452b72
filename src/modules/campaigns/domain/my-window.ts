import { inCohort } from './cohort.ts';
import { birthDayDigit, isWindowOpen, ownWindowsFor, type CampaignWindow } from './windows.ts';

/** Why a birth date may or may not book now (before any sign-in: no priority list or registry). */
type DayAnswer = 'OPEN_NOW' | 'UPCOMING' | 'NOT_IN_COHORT' | 'CLOSED';

export interface MyDay {
  answer: DayAnswer;
  /** The last digit of the birth day of month, which picks the rotation window (10부제). */
  birthDayDigit: number;
  /** The person's own windows that have not closed yet, by opening time; the first is open now or next. */
  windows: CampaignWindow[];
}

/**
 * "When is my day?" from a birth date alone, with the same window rules the server books by.
 * Priority lists and the vaccination registry need the person's identity, so they are left to
 * the signed-in eligibility check (`GET /me`); this answer is about the cohort and the calendar.
 */
export function myDay(campaign: { cohort: { bornFrom: string; bornTo: string }; windows: readonly CampaignWindow[] }, birthDate: string, now: Date): MyDay {
  const digit = birthDayDigit(birthDate);
  if (!inCohort(birthDate, campaign.cohort.bornFrom, campaign.cohort.bornTo)) return { answer: 'NOT_IN_COHORT', birthDayDigit: digit, windows: [] };
  const windows = ownWindowsFor(campaign.windows, birthDate).filter((w) => now.getTime() < w.closesAt.getTime());
  const first = windows[0];
  if (!first) return { answer: 'CLOSED', birthDayDigit: digit, windows };
  return { answer: windows.some((w) => isWindowOpen(w, now)) ? 'OPEN_NOW' : 'UPCOMING', birthDayDigit: digit, windows };
}
