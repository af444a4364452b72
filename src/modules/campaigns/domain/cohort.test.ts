import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ageOn, inCohort } from './cohort.ts';
import { addDays } from '../../../lib/seoul-time.ts';

const anyDate = fc
  .date({ min: new Date('1900-01-01T00:00:00Z'), max: new Date('2099-12-31T00:00:00Z'), noInvalidDate: true })
  .map((d) => d.toISOString().slice(0, 10));

describe('inCohort', () => {
  it('is inclusive at both ends; null bounds are open', () => {
    expect(inCohort('1972-01-01', '1972-01-01', '2003-12-31')).toBe(true);
    expect(inCohort('2003-12-31', '1972-01-01', '2003-12-31')).toBe(true);
    expect(inCohort('1971-12-31', '1972-01-01', '2003-12-31')).toBe(false);
    expect(inCohort('2004-01-01', '1972-01-01', '2003-12-31')).toBe(false);
    expect(inCohort('1900-01-01', null, '2003-12-31')).toBe(true);
    expect(inCohort('2020-01-01', '1972-01-01', null)).toBe(true);
    expect(inCohort('2020-01-01', null, null)).toBe(true);
  });

  it('rejects invalid dates', () => {
    expect(() => inCohort('1990-02-30', null, null)).toThrow(RangeError);
    expect(() => inCohort('1990-02-01', '1990-13-01', null)).toThrow(RangeError);
  });

  it('agrees with date order', () => {
    fc.assert(
      fc.property(anyDate, anyDate, anyDate, (b, from, to) => {
        const ms = (s: string) => Date.parse(s);
        expect(inCohort(b, from, to)).toBe(ms(from) <= ms(b) && ms(b) <= ms(to));
      }),
    );
  });
});

describe('ageOn', () => {
  it.each([
    ['1990-08-10', '2026-08-09', 35],
    ['1990-08-10', '2026-08-10', 36],
    ['1990-08-10', '1990-08-10', 0],
    ['2000-02-29', '2001-02-28', 0],
    ['2000-02-29', '2001-03-01', 1],
    ['2000-02-29', '2004-02-28', 3],
    ['2000-02-29', '2004-02-29', 4],
    ['1999-12-31', '2000-01-01', 0],
  ])('born %s is %i on %s', (birth, date, age) => {
    expect(ageOn(birth, date)).toBe(age);
  });

  it('rejects a date before birth and invalid dates', () => {
    expect(() => ageOn('2000-01-02', '2000-01-01')).toThrow(RangeError);
    expect(() => ageOn('2000-02-30', '2026-01-01')).toThrow(RangeError);
  });

  it('starts at 0 and grows by exactly one a year, never on two consecutive days', () => {
    fc.assert(
      fc.property(anyDate, fc.integer({ min: 0, max: 40_000 }), (birth, days) => {
        const date = addDays(birth, days);
        const age = ageOn(birth, date);
        const next = ageOn(birth, addDays(date, 1));
        expect(age).toBeGreaterThanOrEqual(Math.floor(days / 366));
        expect(age).toBeLessThanOrEqual(Math.floor(days / 365));
        expect(next - age).toBeGreaterThanOrEqual(0);
        expect(next - age).toBeLessThanOrEqual(1);
      }),
    );
  });
});
