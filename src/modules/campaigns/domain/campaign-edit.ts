/**
 * What an operator may still change in a campaign, judged by the server clock. Before anything
 * opens, everything may change. Once people can act, the facts they acted on stay put: a window
 * that has opened keeps its people and its opening (it may close earlier or later, never in the
 * past); the queue's opening is fixed once it has happened (the pre-queue draw was made then);
 * the vaccine's doses and interval are fixed once any window opened (bookings carry both doses);
 * and the rotation's windows are fixed once it started (every clinic-day is split among them).
 * The waiting room numbers its rounds by the distinct window openings: once a round's pre-queue
 * has opened, the openings up to it stay where they are, so nobody's round changes under them.
 */
import { roundScheduleOf } from './rounds.ts';
import type { CampaignWindow } from './windows.ts';

/** The parts of a campaign the edit rules look at. */
export interface EditableCampaign {
  vaccine: { doses: number; intervalDays: number };
  queueOpensAt: Date;
  windows: readonly CampaignWindow[];
}

const sameDigits = (a: number[] | null, b: number[] | null) => (a === null || b === null ? a === b : a.join(',') === b.join(','));

function firstOpening(windows: readonly CampaignWindow[]): number {
  return Math.min(...windows.map((w) => w.opensAt.getTime()));
}

/** The rotation windows' ids in share order (by opening, then id) — what the equal split is keyed on. */
export function rotationOrder(windows: readonly CampaignWindow[]): string[] {
  return windows
    .filter((w) => w.kind === 'rotation')
    .sort((a, b) => a.opensAt.getTime() - b.opensAt.getTime() || a.id.localeCompare(b.id))
    .map((w) => w.id);
}

function openedWindowProblems(before: CampaignWindow, after: CampaignWindow | undefined, now: Date): string[] {
  const name = `window "${before.id}"`;
  if (!after) return [`${name} has opened and cannot be removed (close it instead)`];
  const problems: string[] = [];
  if (after.kind !== before.kind) problems.push(`${name} has opened: its kind cannot change`);
  if (after.opensAt.getTime() !== before.opensAt.getTime()) problems.push(`${name} has opened: its opening cannot move`);
  if (!sameDigits(after.birthDayDigits, before.birthDayDigits) || after.bornFrom !== before.bornFrom || after.bornTo !== before.bornTo) {
    problems.push(`${name} has opened: who it admits cannot change`);
  }
  if (after.closesAt.getTime() !== before.closesAt.getTime() && after.closesAt.getTime() < now.getTime()) {
    problems.push(`${name} has opened: it may close now at the earliest, not in the past`);
  }
  return problems;
}

/**
 * Pre-queue members wait in a round by its number (rounds.ts): every round
 * whose pre-queue has opened keeps its number and instant — except round 0 alone, whose opening
 * may still move until it happens (the rule above).
 */
function roundProblems(before: EditableCampaign, after: EditableCampaign, t: number): string[] {
  const was = roundScheduleOf(before.queueOpensAt, before.windows);
  const will = roundScheduleOf(after.queueOpensAt, after.windows);
  const filling = was.openings.filter((opening) => opening - was.leadMs <= t);
  if (filling.length === 1 && filling[0]! > t) return [];
  const moved = filling.some((opening, round) => {
    const now = will.openings.indexOf(opening);
    // An opened window that moved or went is refused above, with its own reason.
    return now === -1 ? opening > t : now !== round;
  });
  return moved ? ['a pre-queue has opened: the window openings up to its round cannot be added, removed or moved'] : [];
}

/** Human-readable reasons why `after` may not replace `before` at `now`; empty when it may. */
export function campaignEditProblems(before: EditableCampaign, after: EditableCampaign, now: Date): string[] {
  const t = now.getTime();
  const problems: string[] = [];
  if (before.queueOpensAt.getTime() <= t && after.queueOpensAt.getTime() !== before.queueOpensAt.getTime()) {
    problems.push('queueOpensAt cannot move: the queue has already opened');
  }
  const opened = firstOpening(before.windows) <= t;
  if (opened && firstOpening(after.windows) !== firstOpening(before.windows)) {
    problems.push('the first window has opened: the first opening cannot move');
  }
  if (opened && (after.vaccine.doses !== before.vaccine.doses || after.vaccine.intervalDays !== before.vaccine.intervalDays)) {
    problems.push('vaccine.doses and vaccine.intervalDays cannot change once a window has opened');
  }
  const afterById = new Map(after.windows.map((w) => [w.id, w]));
  for (const w of before.windows) {
    if (w.opensAt.getTime() <= t) problems.push(...openedWindowProblems(w, afterById.get(w.id), now));
  }
  problems.push(...roundProblems(before, after, t));
  const rotationStarted = before.windows.some((w) => w.kind === 'rotation' && w.opensAt.getTime() <= t);
  if (rotationStarted && rotationOrder(after.windows).join(',') !== rotationOrder(before.windows).join(',')) {
    problems.push('the rotation has started: its windows cannot be added, removed or reordered');
  }
  return problems;
}
