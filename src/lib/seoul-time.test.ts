import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { useProcessTimeZone } from '../../test/support/time-zone.ts';
import {
  SEOUL_OFFSET_MS,
  addDays,
  daysBetween,
  formatSeoul,
  formatSeoulMillis,
  isValidDate,
  isValidTime,
  minutesOfDay,
  seoulDate,
  seoulInstant,
  timeFromMinutes,
} from './seoul-time.ts';

const DAY_MS = 86_400_000;
// Seoul's last DST ended in October 1988; Intl agrees with a fixed +09:00 from 1989 on.
const modernInstant = fc.date({ min: new Date('1989-01-01T00:00:00Z'), max: new Date('2199-12-31T00:00:00Z'), noInvalidDate: true });
const anyDate = fc
  .date({ min: new Date('1900-01-01T00:00:00Z'), max: new Date('2199-12-31T00:00:00Z'), noInvalidDate: true })
  .map((d) => d.toISOString().slice(0, 10));
const anyTime = fc.integer({ min: 0, max: 1439 }).map(timeFromMinutes);

describe.each(['UTC', 'Asia/Seoul', 'America/Los_Angeles'])('seoul-time with TZ=%s', (tz) => {
  useProcessTimeZone(tz);

  it('really runs under that process time zone', () => {
    const localHour = new Date('2026-01-01T00:00:00Z').getHours();
    expect(localHour).toBe({ UTC: 0, 'Asia/Seoul': 9, 'America/Los_Angeles': 16 }[tz]);
  });

  it('midnight Seoul is 15:00 UTC the previous day', () => {
    expect(seoulInstant('2026-03-01', '00:00').toISOString()).toBe('2026-02-28T15:00:00.000Z');
    expect(seoulDate(new Date('2026-02-28T14:59:59.999Z'))).toBe('2026-02-28');
    expect(seoulDate(new Date('2026-02-28T15:00:00.000Z'))).toBe('2026-03-01');
  });

  it('converts wall-clock times across month, year and leap-day ends', () => {
    expect(seoulInstant('2026-08-09', '20:00').toISOString()).toBe('2026-08-09T11:00:00.000Z');
    expect(seoulInstant('2027-01-01', '08:59:59').toISOString()).toBe('2026-12-31T23:59:59.000Z');
    expect(seoulInstant('2028-02-29', '23:30').toISOString()).toBe('2028-02-29T14:30:00.000Z');
    expect(seoulDate(new Date('2026-12-31T15:00:00Z'))).toBe('2027-01-01');
    expect(seoulDate(new Date('2028-02-28T15:00:00Z'))).toBe('2028-02-29');
  });

  it('formats RFC 3339 in Seoul time, truncating milliseconds', () => {
    expect(formatSeoul(new Date('2026-08-09T11:00:00.999Z'))).toBe('2026-08-09T20:00:00+09:00');
    expect(formatSeoul(new Date('2026-12-31T14:59:59.999Z'))).toBe('2026-12-31T23:59:59+09:00');
    expect(formatSeoul(new Date('2026-12-31T15:00:00Z'))).toBe('2027-01-01T00:00:00+09:00');
    expect(formatSeoul(new Date(-1))).toBe('1970-01-01T08:59:59+09:00');
  });

  it('formats RFC 3339 in Seoul time with milliseconds, across midnight and a year end', () => {
    expect(formatSeoulMillis(new Date('2026-08-09T11:00:00.250Z'))).toBe('2026-08-09T20:00:00.250+09:00');
    expect(formatSeoulMillis(new Date('2026-12-31T14:59:59.999Z'))).toBe('2026-12-31T23:59:59.999+09:00');
    expect(formatSeoulMillis(new Date('2026-12-31T15:00:00.007Z'))).toBe('2027-01-01T00:00:00.007+09:00');
    expect(formatSeoulMillis(new Date(-1))).toBe('1970-01-01T08:59:59.999+09:00');
    fc.assert(fc.property(modernInstant, (d) => Date.parse(formatSeoulMillis(d)) === d.getTime()));
  });

  it('seoulDate matches Intl Asia/Seoul for any modern instant', () => {
    const reference = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Seoul', year: 'numeric', month: '2-digit', day: '2-digit' });
    fc.assert(fc.property(modernInstant, (d) => seoulDate(d) === reference.format(d)));
  });
});

describe('seoulInstant', () => {
  it('round-trips with seoulDate and formatSeoul', () => {
    fc.assert(
      fc.property(anyDate, anyTime, (date, time) => {
        const instant = seoulInstant(date, time);
        expect(seoulDate(instant)).toBe(date);
        expect(formatSeoul(instant)).toBe(`${date}T${time}:00+09:00`);
        expect(instant.getTime()).toBe(Date.parse(`${date}T${time}:00Z`) - SEOUL_OFFSET_MS);
      }),
    );
  });

  it.each([
    ['2026-02-30', '10:00'],
    ['2026-02-29', '10:00'],
    ['2026-13-01', '10:00'],
    ['2026-00-10', '10:00'],
    ['2026-8-9', '10:00'],
    ['2026-08-09', '25:00'],
    ['2026-08-09', '24:00'],
    ['2026-08-09', '12:60'],
    ['2026-08-09', '12:00:60'],
    ['2026-08-09', '9:00'],
  ])('rejects %s %s with a RangeError', (date, time) => {
    expect(() => seoulInstant(date, time)).toThrow(RangeError);
  });

  it('accepts seconds and leap days', () => {
    expect(seoulInstant('2028-02-29', '23:59:59').toISOString()).toBe('2028-02-29T14:59:59.000Z');
  });
});

describe('calendar arithmetic', () => {
  it.each([
    ['2026-01-31', 1, '2026-02-01'],
    ['2026-12-31', 1, '2027-01-01'],
    ['2028-02-28', 1, '2028-02-29'],
    ['2028-02-29', 1, '2028-03-01'],
    ['2026-02-28', 1, '2026-03-01'],
    ['2100-02-28', 1, '2100-03-01'],
    ['2000-02-28', 1, '2000-02-29'],
    ['2027-01-01', -1, '2026-12-31'],
    ['2026-07-26', 42, '2026-09-06'],
  ])('addDays(%s, %i) = %s', (date, days, expected) => {
    expect(addDays(date, days)).toBe(expected);
  });

  it('daysBetween counts leap years', () => {
    expect(daysBetween('2028-01-01', '2029-01-01')).toBe(366);
    expect(daysBetween('2026-01-01', '2027-01-01')).toBe(365);
    expect(daysBetween('2026-03-01', '2026-02-28')).toBe(-1);
  });

  it('addDays agrees with UTC Date arithmetic and inverts daysBetween', () => {
    fc.assert(
      fc.property(anyDate, fc.integer({ min: -20_000, max: 20_000 }), (date, days) => {
        const later = addDays(date, days);
        expect(later).toBe(new Date(Date.parse(date) + days * DAY_MS).toISOString().slice(0, 10));
        expect(daysBetween(date, later)).toBe(days);
      }),
    );
  });

  it('rejects invalid inputs', () => {
    expect(() => addDays('2026-02-30', 1)).toThrow(RangeError);
    expect(() => addDays('2026-02-01', 1.5)).toThrow(RangeError);
    expect(() => daysBetween('2026-01-01', 'tomorrow')).toThrow(RangeError);
    expect(() => seoulDate(new Date(Number.NaN))).toThrow(RangeError);
  });
});

describe('validators and minutes', () => {
  it('isValidDate / isValidTime', () => {
    expect(isValidDate('2028-02-29')).toBe(true);
    expect(isValidDate('2026-02-29')).toBe(false);
    expect(isValidDate('2026-04-31')).toBe(false);
    expect(isValidDate('2026-04-30 ')).toBe(false);
    expect(isValidTime('00:00')).toBe(true);
    expect(isValidTime('23:59')).toBe(true);
    expect(isValidTime('24:00')).toBe(false);
    expect(isValidTime('20:00:00')).toBe(false);
  });

  it('isValidDate accepts exactly the dates Date.UTC would not roll over', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1900, max: 2199 }), fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 31 }), (y, m, d) => {
        const s = `${y}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
        expect(isValidDate(s)).toBe(new Date(Date.UTC(y, m - 1, d)).getUTCDate() === d);
      }),
    );
  });

  it('isValidDate counts leap years as the proleptic Gregorian calendar of Date does, years 0000–9999', () => {
    for (const [date, valid] of [['2000-02-29', true], ['1900-02-29', false], ['2100-02-29', false], ['2400-02-29', true], ['0000-02-29', true], ['0004-02-29', true], ['0100-02-29', false]] as const) {
      expect(isValidDate(date)).toBe(valid);
    }
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 9999 }), fc.integer({ min: 1, max: 12 }), fc.integer({ min: 28, max: 31 }), (y, m, d) => {
        const s = `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
        const t = new Date(0);
        t.setUTCFullYear(y, m - 1, d);
        expect(isValidDate(s)).toBe(t.getUTCDate() === d);
      }),
    );
  });

  it('minutesOfDay and timeFromMinutes are inverse', () => {
    expect(minutesOfDay('20:00')).toBe(1200);
    expect(timeFromMinutes(1439)).toBe('23:59');
    fc.assert(fc.property(fc.integer({ min: 0, max: 1439 }), (m) => minutesOfDay(timeFromMinutes(m)) === m));
    expect(() => minutesOfDay('25:00')).toThrow(RangeError);
    expect(() => timeFromMinutes(1440)).toThrow(RangeError);
    expect(() => timeFromMinutes(-1)).toThrow(RangeError);
  });
});
