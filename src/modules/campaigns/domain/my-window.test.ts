import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { myDay } from './my-window.ts';
import { buildTenDayRotation, currentWindowFor } from './windows.ts';

const rotation = buildTenDayRotation({ firstDate: '2026-08-09' });
const campaign = {
  cohort: { bornFrom: '1972-01-01', bornTo: '2003-12-31' },
  windows: [
    ...rotation,
    { id: 'open', kind: 'open' as const, opensAt: new Date('2026-08-20T11:00:00Z'), closesAt: new Date('2026-09-30T09:00:00Z'), birthDayDigits: null, bornFrom: null, bornTo: null },
  ],
};

describe('myDay (when is my day?)', () => {
  it('names the rotation window of the birth-day digit before it opens, then says it is open', () => {
    // Born on the 19th: digit 9, window 1 (2026-08-09 20:00 to 08-10 18:00 Seoul).
    const before = myDay(campaign, '1980-03-19', new Date('2026-08-09T10:00:00Z'));
    expect(before).toMatchObject({ answer: 'UPCOMING', birthDayDigit: 9 });
    expect(before.windows.map((w) => w.id)).toEqual(['r1', 'open']);
    expect(myDay(campaign, '1980-03-19', new Date('2026-08-09T11:00:00Z')).answer).toBe('OPEN_NOW');
    // Born on the 1st: window 3, two days later.
    expect(myDay(campaign, '1980-03-01', new Date('2026-08-09T11:00:00Z')).windows[0]?.id).toBe('r3');
  });

  it('refuses outside the cohort and after the last window', () => {
    expect(myDay(campaign, '1960-01-09', new Date('2026-08-09T10:00:00Z'))).toMatchObject({ answer: 'NOT_IN_COHORT', windows: [] });
    expect(myDay(campaign, '1980-01-09', new Date('2026-10-01T00:00:00Z')).answer).toBe('CLOSED');
  });

  it('agrees with the rule the server books by: OPEN_NOW exactly when an own window is open', () => {
    const birthDate = fc.date({ min: new Date('1972-01-01T00:00:00Z'), max: new Date('2003-12-31T00:00:00Z'), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10));
    const now = fc.date({ min: new Date('2026-08-01T00:00:00Z'), max: new Date('2026-10-05T00:00:00Z'), noInvalidDate: true });
    fc.assert(
      fc.property(birthDate, now, (b, t) => {
        expect(myDay(campaign, b, t).answer === 'OPEN_NOW').toBe(currentWindowFor(campaign.windows, b, t) !== null);
      }),
    );
  });
});
