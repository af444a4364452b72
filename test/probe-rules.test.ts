import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { edgeBirthDates, expectedDay, expectedEligibility, isCalendarDate, seoulDateOf } from '../probe/rules.ts';
import type { Campaign } from '../src/modules/campaigns/campaign.ts';
import { campaignView } from '../src/modules/campaigns/campaigns.service.ts';
import { myDay } from '../src/modules/campaigns/domain/my-window.ts';
import { addDays, seoulDate, seoulInstant } from '../src/lib/seoul-time.ts';
import { buildTenDayRotation, type CampaignWindow } from '../src/modules/campaigns/domain/windows.ts';
import { evaluateEligibility } from '../src/modules/eligibility/domain/eligibility.ts';

const DAY = 86_400_000;
const day = (from: string, to: string) => fc.integer({ min: Date.parse(`${from}T00:00:00Z`) / DAY, max: Date.parse(`${to}T00:00:00Z`) / DAY }).map((n) => new Date(n * DAY).toISOString().slice(0, 10));

/** A campaign as an operator could write one: a 10-day rotation, a catch-up by age band, an open window. */
const campaignArb = fc
  .record({
    bornFrom: day('1900-01-01', '1990-12-31'),
    span: fc.integer({ min: 0, max: 40 * 365 }),
    firstDate: day('2024-01-25', '2028-12-20'),
    catchupFrom: day('1930-01-01', '2000-12-31'),
    catchupSpan: fc.integer({ min: 0, max: 20 * 365 }),
    withOpen: fc.boolean(),
  })
  .map(({ bornFrom, span, firstDate, catchupFrom, catchupSpan, withOpen }): Campaign => {
    const rotation = buildTenDayRotation({ firstDate });
    const catchup: CampaignWindow = { id: 'catchup', kind: 'catchup', opensAt: seoulInstant(addDays(firstDate, 10), '20:00'), closesAt: seoulInstant(addDays(firstDate, 12), '18:00'), birthDayDigits: null, bornFrom: catchupFrom, bornTo: addDays(catchupFrom, catchupSpan) };
    const open: CampaignWindow = { id: 'open', kind: 'open', opensAt: seoulInstant(addDays(firstDate, 12), '20:00'), closesAt: seoulInstant(addDays(firstDate, 40), '00:00'), birthDayDigits: null, bornFrom: null, bornTo: null };
    return {
      id: 'c',
      name: 'c',
      cohort: { bornFrom, bornTo: addDays(bornFrom, span) },
      vaccine: { name: 'v', doses: 1, intervalDays: 0 },
      queueOpensAt: seoulInstant(firstDate, '19:00'),
      windows: [...rotation, catchup, ...(withOpen ? [open] : [])],
      proxyAllowed: false,
      admission: { mode: 'fixed', ratePerSecond: 1, maxActive: 1 },
    };
  });

/** An instant near the campaign's boundaries: every opening and closing, to the millisecond, and between. */
const nowNear = (c: Campaign) =>
  fc.oneof(
    fc.constantFrom(...c.windows.flatMap((w) => [w.opensAt.getTime(), w.closesAt.getTime()])).chain((t) => fc.integer({ min: t - 2, max: t + 2 })),
    fc.integer({ min: c.windows[0]!.opensAt.getTime() - 3 * DAY, max: c.windows.at(-1)!.closesAt.getTime() + DAY }),
  );

const birthDateIn = (c: Campaign) => fc.oneof(day(addDays(c.cohort.bornFrom, -3), addDays(c.cohort.bornTo, 3)), fc.constantFrom(...edgeBirthDates(campaignView(c), '2100-01-01')));

const synthetic = { inPriorityList: async () => false, vaccinated: async () => false, hasLiveBooking: async () => false };

const zoneAtStart = process.env.TZ;
afterAll(() => {
  process.env.TZ = zoneAtStart;
});

describe("the probe's own reading of the eligibility rules", () => {
  for (const zone of ['UTC', 'Asia/Seoul']) {
    it(`agrees with the server's domain code on every birth date and instant, with the process in ${zone}`, async () => {
      process.env.TZ = zone;
      await fc.assert(
        fc.asyncProperty(
          campaignArb.chain((c) => fc.tuple(fc.constant(c), birthDateIn(c), nowNear(c))),
          async ([campaign, birthDate, nowMs]) => {
            // The probe reads only the public document, as the server renders it.
            const published = campaignView(campaign);
            const now = new Date(nowMs);
            const server = myDay(campaign, birthDate, now);
            const probe = expectedDay(published, birthDate, nowMs);
            expect(probe).toEqual({ answer: server.answer, birthDayDigit: server.birthDayDigit, nextWindowId: server.windows[0]?.id ?? null });
            const eligibility = await evaluateEligibility({ campaign, birthDate, now, synthetic: true, facts: synthetic });
            const expected = expectedEligibility(published, birthDate, nowMs);
            expect({ reason: eligibility.reason, windowId: eligibility.reason === 'NOT_YOUR_WINDOW' ? (eligibility.window?.id ?? null) : null }).toEqual(expected);
          },
        ),
        { numRuns: 600 },
      );
    });
  }

  it("computes Seoul's date from an instant, whatever the process's zone", () => {
    for (const zone of ['UTC', 'Asia/Seoul', 'America/Los_Angeles']) {
      process.env.TZ = zone;
      fc.assert(fc.property(fc.integer({ min: Date.parse('1990-01-01'), max: Date.parse('2090-01-01') }), (ms) => seoulDateOf(ms) === seoulDate(new Date(ms))));
    }
  });

  it('lists real dates only: the 31st, 30th and 29th where the month has them, a leap day in a leap year', () => {
    const dates = edgeBirthDates({ id: 'c', cohort: { bornFrom: '1951-03-01', bornTo: '2001-02-28' }, windows: [] }, '2026-12-04');
    expect(dates.every(isCalendarDate)).toBe(true);
    expect(dates).toEqual(expect.arrayContaining(['1951-02-28', '1951-03-01', '2001-02-28', '2001-03-01', '1976-01-31', '1976-04-30', '1976-02-29']));
    expect(new Set(dates.map((d) => Number(d.slice(8)) % 10))).toEqual(new Set([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]));
    expect(isCalendarDate('1900-02-29')).toBe(false);
    expect(edgeBirthDates({ id: 'c', cohort: { bornFrom: '2020-01-01', bornTo: '2030-01-01' }, windows: [] }, '2026-12-04').every((d) => d <= '2026-12-04')).toBe(true);
  });
});
