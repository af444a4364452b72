/**
 * The CI version of `npm run sim:national`: 100,000 people through the real waiting-room code
 * (memory queue store, WaitingRoom's refresh and adaptive controller) under a simulated clock.
 * Asserts the invariants and the wait estimate's accuracy (a share of people, in simulated time) —
 * never a rate or a wall time.
 */
import { describe, expect, it } from 'vitest';
import { PACE } from '../src/modules/waiting-room/domain/queue-pace.ts';
import { simulateNight } from '../sim/lib/national-simulation.ts';
import { shortConfig } from '../sim/lib/simulation-config.ts';

describe('national simulation, short version (100,000 people)', () => {
  it('keeps every invariant: no oversell, no double booking, no bounce, no inversion', async () => {
    const config = shortConfig();
    const result = await simulateNight(config);
    expect(result.people).toBe(100_000);
    expect(result.invariants).toEqual({ oversold: 0, doubleBookings: 0, bounces: 0, fairnessInversions: 0, orderViolations: 0, splitAdmissions: 0 });
    // The night really happened: a pre-queue, a spike, people refused before their turn, a sell-out.
    expect(result.prequeuePeople).toBeGreaterThan(10_000);
    expect(result.statuses['425 not yet']).toBeGreaterThan(0);
    expect(result.doses.booked - result.doses.cancelled).toBe(config.doses - result.doses.remaining);
    expect(result.doses.remaining).toBeGreaterThanOrEqual(0);
    expect(result.outcomes['booked']).toBeGreaterThan(0);
    // BRIEF §4.5: this shape measured 99.8–100% within ±25% over three runs (the pre-queue's draws
    // are truly random), 54% before the pace estimate (CHANGELOG.md, Performance); the national
    // runs are in docs/performance.md, "The national simulation". Everyone served was shown an estimate first, except those whose turn
    // came while the pace was still being measured: its first seconds after the opening, and until
    // the first people admitted had chosen a clinic and booked (the booking path answering for the
    // pace: at most the longest choice plus the flow's window).
    expect(result.eta.withinQuarter).toBeGreaterThan(0.9);
    expect(result.eta.servedBeforeEstimate).toBeLessThanOrEqual(config.admission.ratePerSecond * (PACE.settleSeconds + config.thinkSeconds[1] + PACE.flowSeconds));
  }, 120_000);
});
