import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { useProcessTimeZone } from '../../../../test/support/time-zone.ts';
import { addDays, seoulInstant, timeFromMinutes } from '../../../lib/seoul-time.ts';
import {
  type CampaignWindow,
  birthDayDigit,
  buildTenDayRotation,
  currentWindowFor,
  isWindowOpen,
  nextWindowFor,
  ownWindowsFor,
  validateWindows,
  windowAdmits,
} from './windows.ts';

const at = (iso: string): Date => new Date(iso);
const anyBirthDate = fc
  .date({ min: new Date('1900-01-01T00:00:00Z'), max: new Date('2026-12-31T00:00:00Z'), noInvalidDate: true })
  .map((d) => d.toISOString().slice(0, 10));

function win(overrides: Partial<CampaignWindow> & Pick<CampaignWindow, 'id'>): CampaignWindow {
  return {
    kind: 'catchup',
    opensAt: at('2026-08-20T11:00:00Z'),
    closesAt: at('2026-08-21T09:00:00Z'),
    birthDayDigits: null,
    bornFrom: null,
    bornTo: null,
    ...overrides,
  };
}

describe.each(['UTC', 'Asia/Seoul'])('window boundaries with TZ=%s', (tz) => {
  useProcessTimeZone(tz);

  it('opens at 20:00:00.000, is open at 17:59:59.999 next day, closes at 18:00:00.000', () => {
    const [w1] = buildTenDayRotation({ firstDate: '2026-08-09' });
    if (!w1) throw new Error('no window');
    expect(w1.opensAt.toISOString()).toBe('2026-08-09T11:00:00.000Z');
    expect(isWindowOpen(w1, at('2026-08-09T10:59:59.999Z'))).toBe(false);
    expect(isWindowOpen(w1, at('2026-08-09T11:00:00.000Z'))).toBe(true);
    expect(isWindowOpen(w1, at('2026-08-09T15:00:00.000Z'))).toBe(true); // midnight Seoul
    expect(isWindowOpen(w1, at('2026-08-10T08:59:59.999Z'))).toBe(true);
    expect(isWindowOpen(w1, at('2026-08-10T09:00:00.000Z'))).toBe(false);
  });

  it.each([
    ['2026-01-27', '2026-01-31T11:00:00.000Z', '2026-02-01T09:00:00.000Z'],
    ['2026-12-27', '2026-12-31T11:00:00.000Z', '2027-01-01T09:00:00.000Z'],
    ['2028-02-25', '2028-02-29T11:00:00.000Z', '2028-03-01T09:00:00.000Z'],
  ])('window 5 from %s spans month/year/leap-day ends', (firstDate, opens, closes) => {
    const w5 = buildTenDayRotation({ firstDate })[4];
    expect(w5?.opensAt.toISOString()).toBe(opens);
    expect(w5?.closesAt.toISOString()).toBe(closes);
    expect(currentWindowFor(buildTenDayRotation({ firstDate }), '1990-05-03', at(opens))?.id).toBe('r5');
  });

  it('window 4 closes on the leap day and window 5 opens on it', () => {
    const rotation = buildTenDayRotation({ firstDate: '2028-02-25' });
    expect(rotation[3]?.closesAt).toEqual(seoulInstant('2028-02-29', '18:00'));
    expect(rotation[4]?.opensAt).toEqual(seoulInstant('2028-02-29', '20:00'));
  });
});

describe('birth-day digit → rotation window', () => {
  // BRIEF §3: window 1 for days 9/19/29, window 2 for 10/20/30, window 3 for 1/11/21/31, … window 10 for 8/18/28.
  const expectedWindow = (day: number): number => [2, 3, 4, 5, 6, 7, 8, 9, 10, 1][day % 10] ?? -1;
  const rotation = buildTenDayRotation({ firstDate: '2026-08-09' });

  it.each(Array.from({ length: 31 }, (_, i) => i + 1))('day %i is admitted by exactly one window', (day) => {
    const birthDate = `1985-01-${String(day).padStart(2, '0')}`;
    expect(birthDayDigit(birthDate)).toBe(day % 10);
    const own = ownWindowsFor(rotation, birthDate);
    expect(own.map((w) => w.id)).toEqual([`r${expectedWindow(day)}`]);
  });

  it('builds ten valid windows with ids r1..r10 and digits 9,0,1,…,8', () => {
    expect(rotation.map((w) => w.id)).toEqual(Array.from({ length: 10 }, (_, i) => `r${i + 1}`));
    expect(rotation.map((w) => w.birthDayDigits)).toEqual([[9], [0], [1], [2], [3], [4], [5], [6], [7], [8]]);
    expect(validateWindows(rotation)).toEqual([]);
  });

  it('at any instant a person is inside the rotation only in their own window', () => {
    const start = seoulInstant('2026-08-09', '19:00').getTime();
    fc.assert(
      fc.property(anyBirthDate, fc.integer({ min: 0, max: 11 * 86_400_000 }), (birthDate, offset) => {
        const now = new Date(start + offset);
        const current = currentWindowFor(rotation, birthDate, now);
        const open = rotation.filter((w) => isWindowOpen(w, now));
        expect(open.length).toBeLessThanOrEqual(1);
        if (current) expect(current.birthDayDigits).toEqual([birthDayDigit(birthDate)]);
        else expect(open.every((w) => !windowAdmits(w, birthDate))).toBe(true);
      }),
    );
  });

  it('isWindowOpen is exactly opensAt ≤ now < closesAt', () => {
    const [w] = rotation;
    if (!w) throw new Error('no window');
    fc.assert(
      fc.property(fc.integer({ min: -2 * 86_400_000, max: 2 * 86_400_000 }), fc.boolean(), (delta, fromClose) => {
        const now = new Date((fromClose ? w.closesAt : w.opensAt).getTime() + delta);
        expect(isWindowOpen(w, now)).toBe(now >= w.opensAt && now < w.closesAt);
      }),
    );
  });
});

describe('admission, current and next windows', () => {
  const rotation = buildTenDayRotation({ firstDate: '2026-08-09' });
  const catchup = win({ id: 'c1', bornFrom: '1972-01-01', bornTo: '2003-12-31' });
  const open = win({ id: 'o1', kind: 'open', opensAt: at('2026-08-22T11:00:00Z'), closesAt: at('2026-09-30T09:00:00Z') });
  const all = [open, catchup, ...rotation];

  it('windowAdmits checks digit and age band inclusively', () => {
    expect(windowAdmits(catchup, '1972-01-01')).toBe(true);
    expect(windowAdmits(catchup, '2003-12-31')).toBe(true);
    expect(windowAdmits(catchup, '1971-12-31')).toBe(false);
    expect(windowAdmits(catchup, '2004-01-01')).toBe(false);
    expect(windowAdmits(win({ id: 'x', birthDayDigits: [1, 2], bornFrom: '1990-01-01' }), '1989-01-11')).toBe(false);
    expect(windowAdmits(win({ id: 'x', birthDayDigits: [1, 2], bornFrom: '1990-01-01' }), '1990-01-12')).toBe(true);
  });

  it('ownWindowsFor sorts by opensAt; nextWindowFor walks forward', () => {
    const person = '1990-05-19'; // digit 9 → r1
    expect(ownWindowsFor(all, person).map((w) => w.id)).toEqual(['r1', 'c1', 'o1']);
    expect(nextWindowFor(all, person, at('2026-08-01T00:00:00Z'))?.id).toBe('r1');
    expect(nextWindowFor(all, person, at('2026-08-10T08:59:59.999Z'))?.id).toBe('r1');
    expect(nextWindowFor(all, person, at('2026-08-10T09:00:00.000Z'))?.id).toBe('c1');
    expect(nextWindowFor(all, person, at('2026-09-30T09:00:00.000Z'))).toBeNull();
    expect(nextWindowFor(all, '1960-05-19', at('2026-08-10T09:00:00Z'))?.id).toBe('o1');
  });

  it('currentWindowFor picks the open admitting window that opened first', () => {
    const early = win({ id: 'early', opensAt: at('2026-08-20T00:00:00Z') });
    const late = win({ id: 'late', opensAt: at('2026-08-20T05:00:00Z') });
    expect(currentWindowFor([late, early], '1990-01-01', at('2026-08-20T12:00:00Z'))?.id).toBe('early');
    expect(currentWindowFor([late, early], '1990-01-01', at('2026-08-20T01:00:00Z'))?.id).toBe('early');
    expect(currentWindowFor([late, early], '1990-01-01', at('2026-08-19T23:59:59.999Z'))).toBeNull();
    expect(currentWindowFor(all, '1990-05-20', at('2026-08-09T12:00:00Z'))).toBeNull(); // r1 is for digit 9
  });
});

describe('validateWindows', () => {
  const problems = (...ws: CampaignWindow[]): string[] => validateWindows(ws);

  it.each<[string, CampaignWindow[], RegExp]>([
    ['closesAt not after opensAt', [win({ id: 'a', closesAt: at('2026-08-20T11:00:00Z') })], /closesAt must be after opensAt/],
    ['digit out of range', [win({ id: 'a', birthDayDigits: [10] })], /integers 0–9/],
    ['non-integer digit', [win({ id: 'a', birthDayDigits: [1.5] })], /integers 0–9/],
    ['duplicated digit', [win({ id: 'a', birthDayDigits: [3, 3] })], /repeats 3/],
    ['empty digits', [win({ id: 'a', birthDayDigits: [] })], /empty/],
    ['duplicate ids', [win({ id: 'a' }), win({ id: 'a' })], /duplicate window id "a"/],
    ['bornFrom after bornTo', [win({ id: 'a', bornFrom: '2000-01-02', bornTo: '2000-01-01' })], /bornFrom .* after bornTo/],
    ['invalid bornTo', [win({ id: 'a', bornTo: '2000-02-30' })], /not a valid/],
    ['rotation without digits', [win({ id: 'a', kind: 'rotation' })], /needs birthDayDigits/],
    ['open with digits', [win({ id: 'a', kind: 'open', birthDayDigits: [1] })], /admits everyone/],
    ['open with age band', [win({ id: 'a', kind: 'open', bornTo: '2003-12-31' })], /admits everyone/],
    [
      'overlapping rotation windows sharing a digit',
      [
        win({ id: 'a', kind: 'rotation', birthDayDigits: [1, 2] }),
        win({ id: 'b', kind: 'rotation', birthDayDigits: [2, 3], opensAt: at('2026-08-21T08:59:59Z'), closesAt: at('2026-08-22T00:00:00Z') }),
      ],
      /"a" and "b" overlap in time for digit\(s\) 2/,
    ],
  ])('reports %s', (_name, ws, pattern) => {
    const found = problems(...ws);
    expect(found.length).toBeGreaterThan(0);
    expect(found.join('\n')).toMatch(pattern);
  });

  it('accepts touching or digit-disjoint rotation windows', () => {
    const a = win({ id: 'a', kind: 'rotation', birthDayDigits: [1] });
    const touching = win({ id: 'b', kind: 'rotation', birthDayDigits: [1], opensAt: a.closesAt, closesAt: at('2026-08-22T09:00:00Z') });
    const disjoint = win({ id: 'c', kind: 'rotation', birthDayDigits: [2] });
    expect(problems(a, touching, disjoint)).toEqual([]);
  });

  it('any shifted or re-timed ten-day rotation is valid (windows of different digits may overlap)', () => {
    const minute = fc.integer({ min: 0, max: 1439 }).map(timeFromMinutes);
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 3650 }), minute, minute, (dayOffset, opensAtTime, closesAtTime) => {
        const firstDate = addDays('2026-01-01', dayOffset);
        const ws = buildTenDayRotation({ firstDate, opensAtTime, closesAtTime, idPrefix: 'w' });
        expect(validateWindows(ws)).toEqual([]);
      }),
    );
  });
});
