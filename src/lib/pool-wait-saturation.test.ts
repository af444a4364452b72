import { describe, expect, it } from 'vitest';
import { PoolWaitSaturation } from './pool-wait-saturation.ts';

/** A measure on a hand-stepped clock: `interval(waits)` observes the waits, then closes 250 ms. */
function stepped(thresholdMs = 250) {
  let now = 0;
  let waiting = 0;
  const measure = new PoolWaitSaturation({ thresholdMs, waiting: () => waiting, now: () => now });
  measure.reset();
  return {
    measure,
    setWaiting: (n: number) => (waiting = n),
    interval(waits: number[]) {
      for (const w of waits) measure.observe(w);
      now += 250;
      measure.roll();
    },
  };
}

describe('PoolWaitSaturation', () => {
  it('is saturated only once the median wait stayed over the threshold for a whole window (2 s)', () => {
    const { measure, interval, setWaiting } = stepped();
    setWaiting(5);
    for (let i = 0; i < 7; i++) {
      interval([300, 400, 500]);
      expect(measure.saturated()).toBe(false);
    }
    interval([300, 400, 500]);
    expect(measure.saturated()).toBe(true);
    expect(measure.sustainedWaitMs()).toBe(400);
  });

  it('is not saturated by one slow interval among quick ones, nor by a few slow checkouts in each', () => {
    const { measure, interval, setWaiting } = stepped();
    setWaiting(5);
    for (let i = 0; i < 12; i++) interval(i === 5 ? [2_000, 3_000] : [0, 1, 900]);
    expect(measure.saturated()).toBe(false);
    // One quick interval in the window clears it at once.
    for (let i = 0; i < 8; i++) interval([600]);
    expect(measure.saturated()).toBe(true);
    interval([0, 0, 0]);
    expect(measure.saturated()).toBe(false);
  });

  it('counts a stalled pool — people waiting, nobody served — by the time since the last checkout', () => {
    const { measure, interval, setWaiting } = stepped();
    interval([0]);
    setWaiting(3);
    // 250, 500, … ms since the last checkout: the window's least is over 250 from the ninth interval.
    for (let i = 0; i < 9; i++) interval([]);
    expect(measure.saturated()).toBe(true);
    // An idle pool (nobody waiting, nobody served) waits for nothing.
    setWaiting(0);
    interval([]);
    expect(measure.saturated()).toBe(false);
  });

  it('is not saturated the moment nobody waits for a connection: a burst that is over refuses nothing more', () => {
    const { measure, interval, setWaiting } = stepped();
    setWaiting(40);
    for (let i = 0; i < 9; i++) interval([900, 1_000, 1_100]);
    expect(measure.saturated()).toBe(true);
    // The queue drains within the interval: the window is still slow, but a request now waits for nothing.
    setWaiting(0);
    expect(measure.sustainedWaitMs()).toBe(1_000);
    expect(measure.saturated()).toBe(false);
    // Someone waits again before a quick interval is seen: the sustained wait refuses work again.
    setWaiting(1);
    expect(measure.saturated()).toBe(true);
  });

  it('never reports saturation with a threshold of 0 (off)', () => {
    const { measure, interval } = stepped(0);
    for (let i = 0; i < 10; i++) interval([5_000]);
    expect(measure.saturated()).toBe(false);
  });
});
