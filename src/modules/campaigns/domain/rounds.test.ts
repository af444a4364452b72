import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { nextOpening, planJoin, roundScheduleOf, roundsDue } from './rounds.ts';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
// A rotation: windows open at 20:00 Seoul (11:00Z) on ten days; the queue opens an hour before the first.
const first = Date.parse('2026-08-08T11:00:00Z');
const windows = Array.from({ length: 10 }, (_, i) => ({ opensAt: new Date(first + i * DAY) }));
const schedule = roundScheduleOf(new Date(first - HOUR), [...windows].reverse());

describe('rounds of a campaign', () => {
  it('are its distinct window openings in order, with the first opening’s lead', () => {
    expect(schedule.openings).toEqual(windows.map((w) => w.opensAt.getTime()));
    expect(schedule.leadMs).toBe(HOUR);
    expect(roundScheduleOf(new Date(first), [{ opensAt: new Date(first) }, { opensAt: new Date(first) }])).toEqual({ openings: [first], leadMs: 0 });
  });

  it('open at their instant exactly', () => {
    expect(roundsDue(schedule, first - 1)).toBe(0);
    expect(roundsDue(schedule, first)).toBe(1);
    expect(roundsDue(schedule, first + DAY - 1)).toBe(1);
    expect(roundsDue(schedule, first + DAY)).toBe(2);
    expect(roundsDue(schedule, first + 20 * DAY)).toBe(10);
    expect(nextOpening(schedule, first)).toBe(first + DAY);
    expect(nextOpening(schedule, first + 9 * DAY)).toBeNull();
  });

  it('place a join by the person’s own window: pre-queue from W − lead, first come from W, refused before', () => {
    const day2 = first + DAY;
    expect(planJoin(schedule, day2, day2 - HOUR - 1)).toEqual({ kind: 'early', asOf: new Date(day2 - HOUR - 1) });
    expect(planJoin(schedule, day2, day2 - HOUR)).toEqual({ kind: 'prequeue', round: 1, asOf: new Date(day2) });
    expect(planJoin(schedule, day2, day2 - 1)).toEqual({ kind: 'prequeue', round: 1, asOf: new Date(day2) });
    expect(planJoin(schedule, day2, day2)).toEqual({ kind: 'fcfs', asOf: new Date(day2) });
    expect(planJoin(schedule, null, day2)).toEqual({ kind: 'early', asOf: new Date(day2) });
    expect(planJoin(schedule, day2 + 5, day2)).toMatchObject({ kind: 'early' }); // not an opening of this campaign
  });

  it('never places a pre-queue join in a round that has opened, nor outside its lead', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 9 }), fc.integer({ min: -2 * DAY, max: 2 * DAY }), (r, offset) => {
        const w = schedule.openings[r]!;
        const now = w + offset;
        const plan = planJoin(schedule, w, now);
        if (plan.kind === 'prequeue') {
          expect(plan.round).toBe(r);
          expect(roundsDue(schedule, now)).toBeLessThanOrEqual(r);
          expect(now).toBeGreaterThanOrEqual(w - schedule.leadMs);
        } else expect(plan.kind).toBe(now >= w ? 'fcfs' : 'early');
      }),
    );
  });
});
