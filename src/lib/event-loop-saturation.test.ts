import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EventLoopSaturation } from './event-loop-saturation.ts';

/** A monitor on a hand-stepped process clock: `step(ms, median)` ends an interval of `ms` with that median delay. */
function monitor(thresholdMs = 500) {
  let nowMs = 1_000;
  const m = new EventLoopSaturation({ thresholdMs, windowMs: 2_000, minIntervals: 3, now: () => nowMs });
  m.reset();
  return {
    m,
    step(ms: number, medianDelayMs: number) {
      nowMs += ms;
      m.record(medianDelayMs);
    },
  };
}

describe('EventLoopSaturation', () => {
  it('is not saturated before a whole window has been seen, however bad the first intervals', () => {
    const { m, step } = monitor();
    step(900, 900);
    step(900, 900);
    expect(m.saturated()).toBe(false);
    step(900, 900);
    expect(m.saturated()).toBe(true);
  });

  it('is saturated when every interval of the window was behind, and stops as soon as one is not', () => {
    const { m, step } = monitor();
    for (let i = 0; i < 10; i++) step(700, 650);
    expect(m.saturated()).toBe(true);
    expect(m.sustainedDelayMs()).toBe(650);
    step(250, 0);
    expect(m.saturated()).toBe(false);
  });

  it('ignores one long task, however long, among normal intervals', () => {
    const { m, step } = monitor();
    for (let i = 0; i < 12; i++) step(250, 1);
    step(5_000, 4_990); // one 5-second block: one interval
    expect(m.saturated()).toBe(false);
    step(250, 1);
    expect(m.saturated()).toBe(false);
  });

  it('reports nothing when its threshold is 0 (off)', () => {
    const { m, step } = monitor(0);
    for (let i = 0; i < 10; i++) step(1_000, 1_000);
    expect(m.saturated()).toBe(false);
  });

  it('never reports saturation unless at least three intervals covering the window were all over the threshold', () => {
    fc.assert(
      fc.property(fc.array(fc.record({ ms: fc.integer({ min: 10, max: 3_000 }), median: fc.integer({ min: 0, max: 2_000 }) }), { maxLength: 40 }), (steps) => {
        const { m, step } = monitor();
        for (const s of steps) step(s.ms, s.median);
        if (!m.saturated()) return;
        // Walk back from the newest: all over the threshold until the window is covered by ≥ 3.
        let covered = 0;
        let n = 0;
        for (let i = steps.length - 1; i >= 0 && (covered < 2_000 || n < 3); i--) {
          expect(steps[i]!.median).toBeGreaterThan(500);
          covered += steps[i]!.ms;
          n += 1;
        }
        expect(covered).toBeGreaterThanOrEqual(2_000);
        expect(n).toBeGreaterThanOrEqual(3);
      }),
    );
  });
});
