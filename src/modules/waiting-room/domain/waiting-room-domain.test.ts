import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { adaptRate, advanceServing, BOOKING_PATH_LOOP_TURNS, pathLatencyMs } from './admission-rate.ts';
import { estimateWait, etaPace, RateEstimator } from './eta.ts';
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

  it('says when the queue\'s end, not the rate or the cap, limited the step (the wait estimate skips it)', () => {
    const base = { servingUpTo: 10, carry: 0, ratePerSecond: 100, elapsedSeconds: 1, activeAdmissions: 0, maxActive: 1000 };
    expect(advanceServing({ ...base, issuedUpTo: 500 })).toMatchObject({ servingUpTo: 110, starved: false });
    expect(advanceServing({ ...base, issuedUpTo: 30 })).toMatchObject({ servingUpTo: 30, starved: true });
    expect(advanceServing({ ...base, issuedUpTo: 10 })).toMatchObject({ servingUpTo: 10, starved: true });
    expect(advanceServing({ ...base, issuedUpTo: 500, activeAdmissions: 950 })).toMatchObject({ servingUpTo: 60, starved: false });
  });

  it('adapts: cuts the rate when the booking path is slow or failing, grows it when healthy, within bounds', () => {
    const bounds = { minRate: 10, maxRate: 1000, targetLatencyMs: 500, maxErrorRate: 0.01, maxActive: 10_000, minActive: 100, cooldownMs: 10_000, rampSeconds: 99, admissionSeconds: 600 };
    const at = (rate: number) => ({ rate, activeLimit: 10_000, lastCutAtMs: null, lastAtMs: 0 });
    const healthy = { p99LatencyMs: 100, errorRate: 0, activeAdmissions: 0 };
    expect(adaptRate(at(100), { ...healthy, p99LatencyMs: 900 }, bounds, 250).rate).toBe(70);
    expect(adaptRate(at(100), { ...healthy, errorRate: 0.05 }, bounds, 250).rate).toBe(70);
    // Growth is per second, whatever the refresh interval: 10/s here.
    expect(adaptRate(at(100), healthy, bounds, 250).rate).toBeCloseTo(102.5);
    expect(adaptRate(at(100), healthy, bounds, 2000).rate).toBeCloseTo(120);
    expect(adaptRate(at(100), { ...healthy, activeAdmissions: 9_500 }, bounds, 250).rate).toBe(100);
    fc.assert(
      fc.property(fc.double({ min: 0, max: 5000, noNaN: true }), fc.double({ min: 0, max: 5000, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true }), fc.integer({ min: 0, max: 60_000 }), (rate, latency, errors, now) => {
        const next = adaptRate(at(rate), { p99LatencyMs: latency, errorRate: errors, activeAdmissions: 0 }, bounds, now).rate;
        expect(next).toBeGreaterThanOrEqual(bounds.minRate);
        expect(next).toBeLessThanOrEqual(bounds.maxRate);
      }),
    );
  });

  it('judges the booking path by its own latency, net of the node\'s event-loop queue (which shedding answers for)', () => {
    const bounds = { minRate: 10, maxRate: 1000, targetLatencyMs: 1000, maxErrorRate: 0.02, maxActive: 10_000, minActive: 100, cooldownMs: 10_000, rampSeconds: 99, admissionSeconds: 600 };
    const at = { rate: 100, activeLimit: 10_000, lastCutAtMs: null, lastAtMs: 0 };
    // 1.8 s at the p99, with the loop itself 400 ms late at its p99: the crowd's queue, not the path's.
    const saturatedNode = { p99LatencyMs: 1800, errorRate: 0, activeAdmissions: 0, loopDelayMs: 400 };
    expect(pathLatencyMs(saturatedNode)).toBe(1800 - BOOKING_PATH_LOOP_TURNS * 400);
    expect(adaptRate(at, saturatedNode, bounds, 250).rate).toBeGreaterThan(100);
    // The same latency on an idle loop is the path's own (a slow database): cut.
    expect(adaptRate(at, { ...saturatedNode, loopDelayMs: 5 }, bounds, 250).rate).toBe(70);
    expect(adaptRate(at, { ...saturatedNode, loopDelayMs: undefined }, bounds, 250).rate).toBe(70);
    // A path slower than the loop accounts for is cut however late the loop is.
    expect(adaptRate(at, { ...saturatedNode, p99LatencyMs: 1000 + BOOKING_PATH_LOOP_TURNS * 400 + 1 }, bounds, 250).rate).toBe(70);
    // Errors are the path's own whatever the loop does.
    expect(adaptRate(at, { ...saturatedNode, errorRate: 0.5, errors: 50 }, bounds, 250).rate).toBe(70);
    expect(pathLatencyMs({ ...saturatedNode, p99LatencyMs: 100 })).toBe(0);
  });

  it('cuts once per cooldown through a slow spell, not at every refresh, then climbs back linearly', () => {
    const bounds = { minRate: 150, maxRate: 3000, targetLatencyMs: 1000, maxErrorRate: 0.02, maxActive: 1_000_000, minActive: 1000, cooldownMs: 10_000, rampSeconds: 60, admissionSeconds: 600 };
    let state = { rate: 3000, activeLimit: 1_000_000, lastCutAtMs: null as number | null, lastAtMs: null as number | null };
    const slow = { p99LatencyMs: 2500, errorRate: 0, activeAdmissions: 0 };
    // Ten seconds of a slow booking path, refreshed every 250 ms: one cut, then a second at 10 s.
    for (let t = 0; t <= 10_000; t += 250) state = adaptRate(state, slow, bounds, t);
    expect(state.rate).toBeCloseTo(3000 * 0.7 * 0.7);
    const afterSpell = state.rate;
    for (let t = 10_250; t <= 20_000; t += 250) state = adaptRate(state, { ...slow, p99LatencyMs: 200 }, bounds, t);
    expect(state.rate).toBeCloseTo(afterSpell + (2850 / 60) * 10, 0);
  });
});

describe('adapting with the queue\'s measured flow (Little\'s law)', () => {
  const bounds = { minRate: 150, maxRate: 3000, targetLatencyMs: 1000, maxErrorRate: 0.02, maxActive: 1_000_000, minActive: 1000, cooldownMs: 10_000, rampSeconds: 60, admissionSeconds: 600 };
  const healthy = { p99LatencyMs: 200, errorRate: 0, activeAdmissions: 0 };
  const slow = { ...healthy, p99LatencyMs: 2500 };
  const at = (rate: number) => ({ rate, activeLimit: 1_000_000, lastCutAtMs: null, lastAtMs: 0 });
  const flow = (admittedPerSecond: number, finishedPerSecond: number, moving = true) => ({ moving, admittedPerSecond, finishedPerSecond });

  it('does not grow a rate that is not in use: before the opening, paused, or with nobody waiting', () => {
    expect(adaptRate(at(1500), healthy, bounds, 1000, flow(0, 0, false)).rate).toBe(1500);
    expect(adaptRate(at(1500), healthy, bounds, 1000, flow(0, 0, true)).rate).toBeCloseTo(1500 + 2850 / 60);
  });

  it('grows only once people finish nearly as fast as they are admitted (the booking path has answered for this rate)', () => {
    expect(adaptRate(at(1500), healthy, bounds, 1000, flow(1500, 600)).rate).toBe(1500);
    expect(adaptRate(at(1500), healthy, bounds, 1000, flow(1500, 1349)).rate).toBe(1500);
    expect(adaptRate(at(1500), healthy, bounds, 1000, flow(1500, 1351)).rate).toBeGreaterThan(1500);
  });

  it('cuts by 30% but never below 90% of what the booking path finishes, nor ever upwards', () => {
    let state: { rate: number; activeLimit: number; lastCutAtMs: number | null; lastAtMs: number | null } = at(3000);
    const rates: number[] = [];
    for (let t = 0; t <= 40_000; t += 250) {
      state = adaptRate(state, slow, bounds, t, flow(3000, 2000));
      if (t % 10_000 === 0) rates.push(Math.round(state.rate));
    }
    expect(rates).toEqual([2100, 1800, 1800, 1800, 1800]);
    expect(adaptRate(at(1000), slow, bounds, 250, flow(1000, 5000)).rate).toBe(1000);
    expect(adaptRate(at(1000), slow, bounds, 250, flow(1000, 100)).rate).toBe(700);
  });

  it('once healthy, comes back at once to 90% of what the path finishes, not by the slow ramp (after a stall at the opening)', () => {
    // Cuts left 200/s while admitted people piled up; now they finish at 1,000/s and latency is fine.
    expect(adaptRate(at(200), healthy, bounds, 250, flow(200, 1000)).rate).toBe(900);
    // The same when the active limit holds the queue (it grows the limit, and the rate with the path).
    const limited = { ...at(200), activeLimit: 5000 };
    expect(adaptRate(limited, { ...healthy, activeAdmissions: 5000 }, bounds, 250, flow(200, 1000))).toMatchObject({ rate: 900 });
    // Not while the queue is not in use, and never past the ceiling.
    expect(adaptRate(at(200), healthy, bounds, 250, flow(0, 1000, false)).rate).toBe(200);
    expect(adaptRate(at(200), healthy, bounds, 250, flow(200, 10_000)).rate).toBe(3000);
  });

  it('does not cut for one or two failures among the first few calls: an error rate needs three errors', () => {
    expect(adaptRate(at(200), { ...healthy, errorRate: 1 / 30, errors: 1 }, bounds, 250, flow(200, 200)).rate).toBeGreaterThan(200);
    expect(adaptRate(at(200), { ...healthy, errorRate: 2 / 30, errors: 2 }, bounds, 250, flow(200, 200)).rate).toBeGreaterThan(200);
    expect(adaptRate(at(200), { ...healthy, errorRate: 3 / 30, errors: 3 }, bounds, 250, flow(200, 200)).rate).toBe(180); // 90% of what finishes
  });

  it('stays within the bounds whatever the flow', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0, max: 5000, noNaN: true }),
        fc.double({ min: 0, max: 5000, noNaN: true }),
        fc.double({ min: 0, max: 10_000, noNaN: true }),
        fc.double({ min: 0, max: 10_000, noNaN: true }),
        fc.boolean(),
        fc.integer({ min: 0, max: 60_000 }),
        (rate, latency, admitted, finished, moving, now) => {
          const next = adaptRate(at(rate), { p99LatencyMs: latency, errorRate: 0, activeAdmissions: 0 }, bounds, now, flow(admitted, finished, moving)).rate;
          expect(next).toBeGreaterThanOrEqual(bounds.minRate);
          expect(next).toBeLessThanOrEqual(bounds.maxRate);
        },
      ),
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

  it('limits the admissions active at once: cut to 70% of those in use when the path is slow, grown back while they are in use and the path is healthy', () => {
    const bounds = { minRate: 50, maxRate: 1000, targetLatencyMs: 1000, maxErrorRate: 0.02, maxActive: 20_000, minActive: 400, cooldownMs: 10_000, rampSeconds: 60, admissionSeconds: 600 };
    const start = { rate: 1000, activeLimit: 20_000, lastCutAtMs: null, lastAtMs: 0 };
    const slow = { p99LatencyMs: 3000, errorRate: 0, activeAdmissions: 12_000 };
    const cut = adaptRate(start, slow, bounds, 250);
    expect(cut.activeLimit).toBe(8400); // 70% of the 12,000 in use, not of the 20,000 allowed
    expect(cut.rate).toBe(700);
    // Never under what the path finishes in half an admission's life (90% of 50/s × 300 s = 13,500).
    expect(adaptRate(start, slow, bounds, 250, { moving: true, admittedPerSecond: 500, finishedPerSecond: 50 }).activeLimit).toBe(13_500);
    expect(adaptRate(start, slow, bounds, 250, { moving: true, admittedPerSecond: 500, finishedPerSecond: 10 }).activeLimit).toBe(8400);
    // Healthy again with the limit full: the limit grows (19,600 / 60 per second), the rate holds.
    const full = adaptRate(cut, { p99LatencyMs: 200, errorRate: 0, activeAdmissions: 8400 }, bounds, 1250);
    expect(full.activeLimit).toBe(8400 + Math.floor(19_600 / 60));
    expect(full.rate).toBe(700);
    // Healthy with room under the limit: the rate grows, the limit holds (no evidence it could be more).
    const roomy = adaptRate(cut, { p99LatencyMs: 200, errorRate: 0, activeAdmissions: 1000 }, bounds, 1250);
    expect(roomy.activeLimit).toBe(8400);
    expect(roomy.rate).toBeCloseTo(700 + 950 / 60);
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 50_000 }), fc.integer({ min: 0, max: 50_000 }), fc.double({ min: 0, max: 5000, noNaN: true }), fc.integer({ min: 0, max: 60_000 }), (limit, active, latency, now) => {
        const next = adaptRate({ ...start, activeLimit: limit }, { p99LatencyMs: latency, errorRate: 0, activeAdmissions: active }, bounds, now);
        expect(next.activeLimit).toBeGreaterThanOrEqual(bounds.minActive);
        expect(next.activeLimit).toBeLessThanOrEqual(bounds.maxActive);
        expect(Number.isInteger(next.activeLimit)).toBe(true);
      }),
    );
  });
});

describe('etaPace: an estimate from the first second a queue moves', () => {
  const base = { measured: null, measuredDeviation: 0, targetRate: 40, open: true, soldOut: false } as const;

  it('gives the set rate before anything is measured: a fixed rate with a p90 of p50 ÷ 0.75, the controller’s with twice its p50', () => {
    const fixed = etaPace({ ...base, mode: 'fixed' });
    expect(fixed.rate).toBe(40);
    expect(estimateWait(400, fixed.rate!, fixed.deviation)).toEqual({ p50Seconds: 10, p90Seconds: 14 });
    const adaptive = etaPace({ ...base, mode: 'adaptive' });
    expect(estimateWait(400, adaptive.rate!, adaptive.deviation)).toEqual({ p50Seconds: 10, p90Seconds: 20 });
  });

  it('gives the measured pace once it has settled, whatever the set rate', () => {
    expect(etaPace({ ...base, mode: 'adaptive', measured: 25, measuredDeviation: 3 })).toEqual({ rate: 25, deviation: 3 });
  });

  it('gives no pace while sold out, before the opening, or paused with nothing measured', () => {
    expect(etaPace({ ...base, mode: 'fixed', soldOut: true, measured: 25 }).rate).toBeNull();
    expect(etaPace({ ...base, mode: 'fixed', open: false }).rate).toBeNull();
    expect(etaPace({ ...base, mode: 'adaptive', targetRate: 0 }).rate).toBeNull();
  });

  it('never promises a p90 shorter than its p50', () => {
    fc.assert(
      fc.property(fc.double({ min: 0.01, max: 1e5, noNaN: true }), fc.constantFrom('fixed' as const, 'adaptive' as const), fc.integer({ min: 1, max: 1e7 }), (rate, mode, ahead) => {
        const pace = etaPace({ ...base, targetRate: rate, mode });
        const eta = estimateWait(ahead, pace.rate!, pace.deviation);
        expect(eta.p90Seconds!).toBeGreaterThanOrEqual(eta.p50Seconds!);
      }),
    );
  });
});
