import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { doseDates, nearestTimes } from './doses.ts';
import { daysBetween, minutesOfDay, timeFromMinutes } from '../../../lib/seoul-time.ts';

describe('doseDates', () => {
  it.each<[string, number, number, string[]]>([
    ['2026-07-26', 2, 42, ['2026-07-26', '2026-09-06']],
    ['2028-01-20', 2, 42, ['2028-01-20', '2028-03-02']], // leap year: Feb has 29 days
    ['2027-01-20', 2, 42, ['2027-01-20', '2027-03-03']],
    ['2026-12-01', 3, 28, ['2026-12-01', '2026-12-29', '2027-01-26']],
    ['2028-02-01', 2, 28, ['2028-02-01', '2028-02-29']],
    ['2026-01-31', 2, 21, ['2026-01-31', '2026-02-21']],
    ['2026-08-09', 1, 0, ['2026-08-09']],
  ])('doseDates(%s, %i, %i)', (first, doses, interval, expected) => {
    expect(doseDates(first, doses, interval)).toEqual(expected);
  });

  it('rejects bad counts, intervals and dates', () => {
    expect(() => doseDates('2026-08-09', 0, 42)).toThrow(RangeError);
    expect(() => doseDates('2026-08-09', 2, 0)).toThrow(RangeError);
    expect(() => doseDates('2026-08-09', 2, 1.5)).toThrow(RangeError);
    expect(() => doseDates('2026-02-30', 2, 42)).toThrow(RangeError);
  });

  it('spaces doses exactly intervalDays apart, matching UTC date arithmetic', () => {
    const firstDate = fc
      .date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2099-12-31T00:00:00Z'), noInvalidDate: true })
      .map((d) => d.toISOString().slice(0, 10));
    fc.assert(
      fc.property(firstDate, fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 120 }), (first, doses, interval) => {
        const dates = doseDates(first, doses, interval);
        expect(dates).toHaveLength(doses);
        expect(dates[0]).toBe(first);
        dates.forEach((d, i) => {
          expect(daysBetween(first, d)).toBe(i * interval);
          expect(d).toBe(new Date(Date.parse(first) + i * interval * 86_400_000).toISOString().slice(0, 10));
        });
      }),
    );
  });
});

describe('nearestTimes', () => {
  it('puts the same time first, then nearest, earlier on ties', () => {
    expect(nearestTimes('14:00', ['09:00', '15:00', '14:30', '13:30', '14:00'])).toEqual(['14:00', '13:30', '14:30', '15:00', '09:00']);
    expect(nearestTimes('10:00', ['10:20', '09:40', '11:00'])).toEqual(['09:40', '10:20', '11:00']);
    expect(nearestTimes('00:00', ['23:59', '00:01'])).toEqual(['00:01', '23:59']); // same-day distance, no wrap
    expect(nearestTimes('12:00', [])).toEqual([]);
  });

  it('does not modify its input and rejects malformed times', () => {
    const candidates = ['11:00', '10:00'];
    nearestTimes('10:00', candidates);
    expect(candidates).toEqual(['11:00', '10:00']);
    expect(() => nearestTimes('24:00', ['10:00'])).toThrow(RangeError);
    expect(() => nearestTimes('10:00', ['10:00', '9:00'])).toThrow(RangeError);
  });

  it('returns a permutation ordered by distance, then by time', () => {
    const time = fc.integer({ min: 0, max: 1439 }).map(timeFromMinutes);
    fc.assert(
      fc.property(time, fc.array(time, { maxLength: 30 }), (wanted, candidates) => {
        const ordered = nearestTimes(wanted, candidates);
        expect([...ordered].sort()).toEqual([...candidates].sort());
        const key = (t: string) => [Math.abs(minutesOfDay(t) - minutesOfDay(wanted)), minutesOfDay(t)] as const;
        for (let i = 1; i < ordered.length; i++) {
          const [d0, m0] = key(ordered[i - 1] ?? '');
          const [d1, m1] = key(ordered[i] ?? '');
          expect(d0 < d1 || (d0 === d1 && m0 <= m1)).toBe(true);
        }
      }),
    );
  });
});
