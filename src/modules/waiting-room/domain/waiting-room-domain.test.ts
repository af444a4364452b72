import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { adaptRate, advanceServing } from './admission-rate.ts';
import { estimateWait, RateEstimator } from './eta.ts';
import { joinsPrequeue, queueState } from './queue-state.ts';

const schedule = {
  queueOpensAt: new Date('2026-08-09T10:00:00Z'),
  opensAt: new Date('2026-08-09T11:00:00Z'), // 20:00 Seoul
  closesAt: new Date('2026-08-10T09:00:00Z'),
};
const flags = { paused: false, closed: false };

describe('queue state', () => {
  it('moves scheduled → prequeue → open → closed at the exact instants', () => {
    expect(queueState(schedule, new Date('2026-08-09T09:59:59.999Z'), flags)).toBe('scheduled');
    expect(queueState(schedule, new Date('2026-08-09T10:00:00.000Z'), flags)).toBe('prequeue');
    expect(queueState(schedule, new Date('2026-08-09T10:59:59.999Z'), flags)).toBe('prequeue');
    expect(queueState(schedule, new Date('2026-08-09T11:00:00.000Z'), flags)).toBe('open');
    expect(queueState(schedule, new Date('2026-08-10T09:00:00.000Z'), flags)).toBe('closed');
    expect(queueState(schedule, new Date('2026-08-09T12:00:00Z'), { paused: true, closed: false })).toBe('paused');
    expect(queueState(schedule, new Date('2026-08-09T12:00:00Z'), { paused: false, closed: true })).toBe('closed');
    expect(joinsPrequeue(schedule, new Date('2026-08-09T10:59:59.999Z'))).toBe(true);
    expect(joinsPrequeue(schedule, new Date('2026-08-09T11:00:00.000Z'))).toBe(false);
  });
});

describe('advancing the queue', () => {
  const arb = fc.record({
    servingUpTo: fc.integer({ min: 0, max: 1000 }),
    extra: fc.integer({ min: 0, max: 1000 }),
    carry: fc.double({ min: 0, max: 0.999, noNaN: true }),
    ratePerSecond: fc.double({ min: 0, max: 5000, noNaN: true }),
    elapsedSeconds: fc.double({ min: 0, max: 10, noNaN: true }),
    activeAdmissions: fc.integer({ min: 0, max: 2000 }),
    maxActive: fc.integer({ min: 1, max: 2000 }),
  });

  it('never passes the last place issued nor the cap on active admissions, and never goes back', () => {
    fc.assert(
      fc.property(arb, ({ extra, ...input }) => {
        const issuedUpTo = input.servingUpTo + extra;
        const next = advanceServing({ ...input, issuedUpTo });
        expect(next.servingUpTo).toBeGreaterThanOrEqual(input.servingUpTo);
        expect(next.servingUpTo).toBeLessThanOrEqual(issuedUpTo);
        expect(next.servingUpTo - input.servingUpTo).toBeLessThanOrEqual(Math.max(0, input.maxActive - input.activeAdmissions));
        expect(next.carry).toBeGreaterThanOrEqual(0);
        expect(next.carry).toBeLessThan(1);
      }),
    );
  });

  it('admits at the rate over many ticks, fractions included', () => {
    let state = { servingUpTo: 0, carry: 0 };
    for (let i = 0; i < 100; i++) {
      state = advanceServing({ ...state, issuedUpTo: 1_000_000, ratePerSecond: 2.5, elapsedSeconds: 0.25, activeAdmissions: 0, maxActive: 1e9 });
    }
    expect(state.servingUpTo).toBe(62); // 2.5/s × 25 s = 62.5
  });

  it('adapts: cuts the rate when the booking path is slow or failing, grows it when healthy, within bounds', () => {
    const bounds = { minRate: 10, maxRate: 1000, targetLatencyMs: 500, maxErrorRate: 0.01, maxActive: 10_000 };
    expect(adaptRate(100, { p99LatencyMs: 900, errorRate: 0, activeAdmissions: 0 }, bounds)).toBe(70);
    expect(adaptRate(100, { p99LatencyMs: 100, errorRate: 0.05, activeAdmissions: 0 }, bounds)).toBe(70);
    expect(adaptRate(100, { p99LatencyMs: 100, errorRate: 0, activeAdmissions: 0 }, bounds)).toBeGreaterThan(100);
    expect(adaptRate(100, { p99LatencyMs: 100, errorRate: 0, activeAdmissions: 9_500 }, bounds)).toBe(100);
    fc.assert(
      fc.property(fc.double({ min: 0, max: 5000, noNaN: true }), fc.double({ min: 0, max: 5000, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true }), (rate, latency, errors) => {
        const next = adaptRate(rate, { p99LatencyMs: latency, errorRate: errors, activeAdmissions: 0 }, bounds);
        expect(next).toBeGreaterThanOrEqual(bounds.minRate);
        expect(next).toBeLessThanOrEqual(bounds.maxRate);
      }),
    );
  });
});

describe('wait estimate', () => {
  it('follows the measured rate and gives a wider p90 when the rate varies', () => {
    const steady = new RateEstimator();
    for (let i = 0; i < 50; i++) steady.observe(100, 1);
    expect(steady.ratePerSecond).toBeCloseTo(100);
    expect(estimateWait(6000, steady.ratePerSecond, steady.standardDeviation)).toEqual({ p50Seconds: 60, p90Seconds: 60 });
    const bumpy = new RateEstimator();
    for (let i = 0; i < 50; i++) bumpy.observe(i % 2 ? 150 : 50, 1);
    const eta = estimateWait(6000, bumpy.ratePerSecond, bumpy.standardDeviation);
    expect(eta.p90Seconds!).toBeGreaterThan(eta.p50Seconds!);
    expect(estimateWait(10, 0, 0)).toEqual({ p50Seconds: null, p90Seconds: null });
    expect(estimateWait(0, 0, 0)).toEqual({ p50Seconds: 0, p90Seconds: 0 });
  });
});
