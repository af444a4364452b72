import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { useProcessTimeZone } from '../../../../test/support/time-zone.ts';
import { canSelfService, selfServiceDeadline } from './self-service.ts';
import { daysBetween, seoulDate } from '../../../lib/seoul-time.ts';

describe.each(['UTC', 'Asia/Seoul'])('self-service deadline with TZ=%s', (tz) => {
  useProcessTimeZone(tz);

  it('an appointment on the 10th can be changed through 23:59:59.999 Seoul on the 8th', () => {
    expect(selfServiceDeadline('2026-08-10').toISOString()).toBe('2026-08-08T15:00:00.000Z');
    expect(canSelfService('2026-08-10', new Date('2026-08-08T14:59:59.999Z'))).toBe(true);
    expect(canSelfService('2026-08-10', new Date('2026-08-08T15:00:00.000Z'))).toBe(false);
    expect(canSelfService('2026-08-10', new Date('2026-08-09T03:00:00.000Z'))).toBe(false);
  });

  it('crosses month, year and leap-day ends', () => {
    expect(selfServiceDeadline('2026-03-01').toISOString()).toBe('2026-02-27T15:00:00.000Z');
    expect(selfServiceDeadline('2028-03-01').toISOString()).toBe('2028-02-28T15:00:00.000Z');
    expect(selfServiceDeadline('2027-01-01').toISOString()).toBe('2026-12-30T15:00:00.000Z');
    expect(selfServiceDeadline('2027-01-02').toISOString()).toBe('2026-12-31T15:00:00.000Z');
  });
});

describe('canSelfService', () => {
  it('is true exactly when the appointment is 2 or more Seoul days after today in Seoul', () => {
    const appointment = fc
      .date({ min: new Date('2020-01-01T00:00:00Z'), max: new Date('2035-12-31T00:00:00Z'), noInvalidDate: true })
      .map((d) => d.toISOString().slice(0, 10));
    fc.assert(
      fc.property(appointment, fc.integer({ min: -5 * 86_400_000, max: 0 }), (date, offset) => {
        const now = new Date(Date.parse(date) + offset);
        expect(canSelfService(date, now)).toBe(daysBetween(seoulDate(now), date) >= 2);
      }),
    );
  });

  it('rejects an invalid appointment date', () => {
    expect(() => canSelfService('2026-02-30', new Date('2026-02-01T00:00:00Z'))).toThrow(RangeError);
  });
});
