import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { waitFor } from './eta.ts';
import { QueuePace, type PaceOptions } from './queue-pace.ts';

const options: PaceOptions = { windowSeconds: 60, sliceSeconds: 5, settleSeconds: 30, flowSeconds: 10, maxVariation: 0.25, minFinishedShare: 0.75 };
const TICK_MS = 250;

/** Feeds a pace one refresh every 250 ms while the queue moves at `rateAt(t)` places per second (t in s). */
function run(pace: QueuePace, seconds: number, rateAt: (t: number) => number, from = { t: 0, places: 0 }, moving = true) {
  let { t, places } = from;
  const end = t + seconds;
  for (; t < end - 1e-9; ) {
    places += rateAt(t) * (TICK_MS / 1000);
    t += TICK_MS / 1000;
    pace.observe({ atMs: Math.round(t * 1000), servingUpTo: Math.floor(places), admitted: 0, activeAdmissions: 0, moving });
  }
  return { t, places };
}

const status = (pace: QueuePace, servingUpTo: number) => ({ servingUpTo, etaRatePerSecond: pace.ratePerSecond, etaRateDeviation: pace.deviation });

describe('the queue pace (what the wait estimate divides by)', () => {
  it('gives no pace until it has measured the settling time, then the rate', () => {
    const pace = new QueuePace(options);
    const at = run(pace, 29, () => 100);
    expect(pace.ratePerSecond).toBeNull();
    expect(waitFor(5000, status(pace, at.places)).eta).toEqual({ p50Seconds: null, p90Seconds: null });
    run(pace, 2, () => 100, at);
    expect(pace.ratePerSecond).toBeCloseTo(100, 0);
  });

  it('at a constant rate the estimate is exact: p50 is the real wait rounded up to the second, p90 the same', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 5_000 }), fc.integer({ min: 1, max: 2_000_000 }), (quarter, aheadWanted) => {
        const rate = 4 * quarter; // whole places every 250 ms
        const pace = new QueuePace(options);
        const at = run(pace, 90, () => rate);
        const { ahead, eta } = waitFor(at.places + aheadWanted, status(pace, at.places));
        expect(ahead).toBe(aheadWanted);
        expect(pace.ratePerSecond).toBe(rate);
        expect(eta).toEqual({ p50Seconds: Math.ceil(aheadWanted / rate), p90Seconds: Math.ceil(aheadWanted / rate) });
      }),
    );
  });

  it('at any constant rate the pace is within one place per window of it', () => {
    fc.assert(
      fc.property(fc.double({ min: 0.05, max: 20_000, noNaN: true }), (rate) => {
        const pace = new QueuePace(options);
        run(pace, 90, () => rate);
        expect(Math.abs(pace.ratePerSecond! - rate)).toBeLessThanOrEqual(1 / 60 + 1e-9);
      }),
    );
  });

  it('on a ramp, the pace is withheld or lies between the slowest and fastest rate of the last minute; a gentle ramp always has one', () => {
    fc.assert(
      fc.property(fc.integer({ min: 10, max: 5_000 }), fc.integer({ min: 10, max: 5_000 }), fc.integer({ min: 60, max: 600 }), (from, to, rampSeconds) => {
        const pace = new QueuePace(options);
        const rateAt = (t: number) => from + ((to - from) * Math.min(t, rampSeconds)) / rampSeconds;
        const at = run(pace, rampSeconds, rateAt);
        // The window holds the last 60–70 s (whole slices and the current one): a place of rounding either way.
        const low = Math.min(rateAt(at.t - 70), rateAt(at.t)) - 1 / 60;
        const high = Math.max(rateAt(at.t - 70), rateAt(at.t)) + 1 / 60;
        // Within the minute the rate moved by under a quarter of itself: the slices agree closely enough.
        if (Math.abs(to - from) * Math.min(1, 70 / rampSeconds) < 0.25 * Math.min(from, to)) expect(pace.ratePerSecond).not.toBeNull();
        if (pace.ratePerSecond === null) return;
        expect(pace.ratePerSecond).toBeGreaterThanOrEqual(low - 1e-9);
        expect(pace.ratePerSecond).toBeLessThanOrEqual(high + 1e-9);
      }),
    );
  });

  it('gives no pace while the slices disagree: a burst at the opening and then a stall promise nothing', () => {
    const pace = new QueuePace(options);
    const burst = run(pace, 6, () => 500);
    const stalled = run(pace, 30, () => 0, burst);
    expect(pace.ratePerSecond).toBeNull();
    expect(waitFor(stalled.places + 1000, status(pace, stalled.places)).eta.p50Seconds).toBeNull();
    // Once the queue has moved steadily for a window, the pace is back and is that steady rate.
    run(pace, 75, () => 120, stalled);
    expect(pace.ratePerSecond).toBeCloseTo(120, 0);
  });

  it('stop-and-go from slice to slice (admissions clocked by people finishing) is noise, not a trend: the pace is its mean', () => {
    const pace = new QueuePace(options);
    run(pace, 120, (t) => (Math.floor(t / 5) % 2 === 0 ? 200 : 0));
    expect(pace.ratePerSecond).not.toBeNull();
    expect(pace.ratePerSecond!).toBeGreaterThan(80);
    expect(pace.ratePerSecond!).toBeLessThan(120);
  });

  it('a trickle moving in whole places (one person every few seconds) still has a pace', () => {
    const pace = new QueuePace(options);
    run(pace, 120, () => 0.3);
    expect(pace.ratePerSecond).toBeCloseTo(0.3, 1);
  });

  it('does not count time the queue could not move (paused, run empty): the pace is kept, not diluted', () => {
    const pace = new QueuePace(options);
    const at = run(pace, 90, () => 40);
    const stalled = run(pace, 300, () => 0, at, false);
    expect(pace.ratePerSecond).toBeCloseTo(40, 1);
    run(pace, 20, () => 40, stalled);
    expect(pace.ratePerSecond).toBeCloseTo(40, 0);
  });

  it('measures the flow through admissions: admitted and finished (left the active set) per second', () => {
    const pace = new QueuePace(options);
    let admitted = 0;
    let active = 0;
    for (let t = 0.25; t <= 60; t += 0.25) {
      admitted += 5; // 20 admitted per second
      active += t <= 30 ? 5 : 2; // nobody finishes for 30 s, then 12 per second
      pace.observe({ atMs: t * 1000, servingUpTo: admitted, admitted, activeAdmissions: active, moving: true });
    }
    const minute = pace.flow(60);
    expect(minute.moving).toBe(true);
    expect(minute.admittedPerSecond).toBeCloseTo(20, 0);
    expect(minute.finishedPerSecond).toBeCloseTo(6, 0); // 360 finished in 60 s
    // The last 10 s (the controller's evidence): 12 finish per second.
    expect(pace.flow(10).finishedPerSecond).toBeCloseTo(12, 0);
  });

  it('ignores a sample from the past (a clock stepping back)', () => {
    const pace = new QueuePace(options);
    const at = run(pace, 60, () => 10);
    pace.observe({ atMs: 1_000, servingUpTo: 0, admitted: 0, activeAdmissions: 0, moving: true });
    expect(pace.ratePerSecond).toBeCloseTo(10, 0);
    run(pace, 5, () => 10, at);
    expect(pace.ratePerSecond).toBeCloseTo(10, 0);
  });
  it('gives no pace until the booking path has answered for it: people finishing at three quarters of the pace they are admitted', () => {
    const pace = new QueuePace(options);
    // The opening: 100 admitted a second; for the first 40 s everyone is still choosing a clinic.
    let admitted = 0;
    let active = 0;
    const step = (seconds: number, finishingPerSecond: number) => {
      for (let i = 0; i < seconds * 4; i++) {
        admitted += 25;
        active += 25 - finishingPerSecond / 4;
        pace.observe({ atMs: Math.round((admitted / 100) * 1000), servingUpTo: admitted, admitted, activeAdmissions: active, moving: true });
      }
    };
    step(40, 0);
    expect(pace.ratePerSecond).toBeNull(); // a steady 100/s, settled, but nobody has finished
    step(20, 60);
    expect(pace.ratePerSecond).toBeNull(); // finishing at 60% of admissions: not yet
    step(20, 80);
    expect(pace.ratePerSecond).toBeCloseTo(100, 0); // at 80%: the path keeps up
    step(20, 40);
    expect(pace.ratePerSecond).toBeNull(); // the path fell behind: the pace is a promise again
  });
});
