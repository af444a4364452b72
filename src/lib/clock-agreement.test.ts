import { describe, expect, it } from 'vitest';
import { ManualClock } from './clock.ts';
import { ClockAgreement } from './clock-agreement.ts';

const AT = '2026-12-04T11:00:00.000Z';

/** Our clock (manual) against a reference `offsetMs` ahead that takes `roundTripMs` to read. */
function setup(maxSkewMs = 3_000) {
  const ours = new ManualClock(AT);
  const reference = { offsetMs: 0, roundTripMs: 0, fail: false };
  const verdicts: [boolean, number][] = [];
  const readings: number[] = [];
  const agreement = new ClockAgreement(
    ours,
    async () => {
      if (reference.fail) throw new Error('connection refused');
      // The reference is read halfway through the round trip.
      ours.advance(reference.roundTripMs / 2);
      const at = new Date(ours.now().getTime() + reference.offsetMs);
      ours.advance(reference.roundTripMs / 2);
      return at;
    },
    { maxSkewMs, intervalMs: 5_000, onReading: (skew) => readings.push(skew) },
  );
  agreement.watch((agrees, skew) => verdicts.push([agrees, skew]));
  return { ours, reference, agreement, verdicts, readings };
}

describe('ClockAgreement', () => {
  it('agrees within the tolerance and tells its first verdict once', async () => {
    const { agreement, reference, verdicts } = setup();
    expect(agreement.skewMs).toBeNull();
    reference.offsetMs = 2_500;
    await agreement.check();
    await agreement.check();
    expect(agreement.disagrees()).toBe(false);
    expect(agreement.skewMs).toBe(2_500);
    expect(verdicts).toEqual([[true, 2_500]]);
  });

  it('disagrees with a clock 6 hours off either way, and agrees again once it is corrected', async () => {
    const { agreement, reference, verdicts } = setup();
    reference.offsetMs = -6 * 3_600_000; // our clock 6 h ahead: the database is behind us
    await agreement.check();
    expect(agreement.disagrees()).toBe(true);
    reference.offsetMs = 6 * 3_600_000;
    await agreement.check();
    expect(agreement.disagrees()).toBe(true);
    reference.offsetMs = 40;
    await agreement.check();
    expect(agreement.disagrees()).toBe(false);
    expect(verdicts).toEqual([
      [false, -6 * 3_600_000],
      [true, 40],
    ]);
  });

  it('disagrees just past the tolerance, not at it', async () => {
    const { agreement, reference } = setup(3_000);
    reference.offsetMs = 3_000;
    await agreement.check();
    expect(agreement.disagrees()).toBe(false);
    reference.offsetMs = 3_001;
    await agreement.check();
    expect(agreement.disagrees()).toBe(true);
  });

  it('never blames the clock for a slow reading: half the round trip is the reading’s own uncertainty', async () => {
    const { agreement, reference } = setup(3_000);
    // A reading that took 4 s, taken 1 s after the call: 1 s behind the midpoint, within tolerance.
    reference.roundTripMs = 4_000;
    reference.offsetMs = 4_000;
    await agreement.check();
    expect(agreement.skewMs).toBe(4_000);
    expect(agreement.disagrees()).toBe(false);
    reference.offsetMs = 5_001;
    await agreement.check();
    expect(agreement.disagrees()).toBe(true);
  });

  it('keeps its last verdict when the reference cannot be read', async () => {
    const { agreement, reference, readings } = setup();
    reference.offsetMs = -21_600_000;
    await agreement.check();
    reference.fail = true;
    await expect(agreement.check()).rejects.toThrow('connection refused');
    expect(agreement.disagrees()).toBe(true);
    expect(readings).toEqual([-21_600_000]);
  });
});
