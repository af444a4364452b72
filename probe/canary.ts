import type { ProbeClient } from './client.ts';
import type { MeAnswer } from './journey.ts';
import type { Rule } from './metrics.ts';
import { edgeBirthDates, expectedDay, expectedEligibility, seoulDateOf, type PublicCampaign } from './rules.ts';

/** One disagreement between the server and the probe's own computation. */
interface Violation {
  rule: Rule;
  campaignId: string;
  birthDate: string;
  expected: string;
  actual: string;
}

export interface CanaryResult {
  checked: number;
  /** Answers not compared: the expectation changes within the margin around the server's time. */
  atBoundary: number;
  violations: Violation[];
}

/**
 * How far the server's answer may be from the `/time` read just before: my-window answers are
 * cacheable for 5 s (a balancer's cache adds up to a second more), and the calls take time.
 */
const EARLIER_MS = 7_000;
const LATER_MS = 3_000;

/** The expectation, when it is the same all through the margin around `nowMs`; else null (at a boundary). */
function steady<T>(compute: (ms: number) => T, nowMs: number): T | null {
  const a = compute(nowMs - EARLIER_MS);
  const b = compute(nowMs + LATER_MS);
  return JSON.stringify(a) === JSON.stringify(b) ? a : null;
}

interface MyWindowAnswer {
  answer: string;
  birthDayDigit: number;
  windows: { id: string }[];
}

/**
 * Canary eligibility: for every live campaign and every edge birth date (`edgeBirthDates`), the
 * server's `…/my-window` against the probe's own reading of the rules by the server's `/time`; and,
 * given a synthetic person's session, their `GET /me` likewise. Live: a window that has not closed yet.
 */
export async function checkCanaries(client: ProbeClient, session: string | null, deadlineMs: number): Promise<CanaryResult> {
  const result: CanaryResult = { checked: 0, atBoundary: 0, violations: [] };
  const time = await client.expect<{ now: string }>('canary', [200], 'GET', '/api/v1/time', { deadlineMs });
  const nowMs = Date.parse(time.body.now);
  const me = session === null ? null : (await client.expect<MeAnswer>('canary', [200], 'GET', '/api/v1/me', { credential: session, deadlineMs })).body;
  const today = seoulDateOf(nowMs);
  const campaigns = (await client.expect<PublicCampaign[]>('canary', [200], 'GET', '/api/v1/campaigns', { deadlineMs })).body;
  const live = campaigns.filter((c) => c.windows.some((w) => Date.parse(w.closesAt) > nowMs - EARLIER_MS));
  for (const campaign of live) {
    for (const birthDate of edgeBirthDates(campaign, today)) {
      const expected = steady((ms) => expectedDay(campaign, birthDate, ms), nowMs);
      if (expected === null) {
        result.atBoundary += 1;
        continue;
      }
      const answer = (await client.expect<MyWindowAnswer>('canary', [200], 'GET', `/api/v1/campaigns/${encodeURIComponent(campaign.id)}/my-window?birthDate=${birthDate}`, { deadlineMs })).body;
      result.checked += 1;
      const actual = { answer: answer.answer, birthDayDigit: answer.birthDayDigit, nextWindowId: answer.windows[0]?.id ?? null };
      const violation = (rule: Rule, e: unknown, a: unknown) => result.violations.push({ rule, campaignId: campaign.id, birthDate, expected: String(e), actual: String(a) });
      if (actual.birthDayDigit !== expected.birthDayDigit) violation('digit', expected.birthDayDigit, actual.birthDayDigit);
      else if ((actual.answer === 'NOT_IN_COHORT') !== (expected.answer === 'NOT_IN_COHORT')) violation('cohort', expected.answer, actual.answer);
      else if (actual.answer !== expected.answer || actual.nextWindowId !== expected.nextWindowId) violation('window', `${expected.answer} ${expected.nextWindowId}`, `${actual.answer} ${actual.nextWindowId}`);
    }
    const mine = me?.eligibility.find((e) => e.campaignId === campaign.id);
    if (me && mine) {
      const expected = steady((ms) => expectedEligibility(campaign, me.person.birthDate, ms), nowMs);
      if (expected === null) result.atBoundary += 1;
      else {
        result.checked += 1;
        const actualWindow = mine.reason === 'NOT_YOUR_WINDOW' ? (mine.window?.id ?? null) : null;
        if (mine.reason !== expected.reason || actualWindow !== expected.windowId) {
          result.violations.push({ rule: 'me', campaignId: campaign.id, birthDate: me.person.birthDate, expected: `${expected.reason} ${expected.windowId}`, actual: `${mine.reason} ${actualWindow}` });
        }
      }
    }
  }
  return result;
}
