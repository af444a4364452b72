import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { afterFailure, DEFAULT_BACKOFF, retryDelayMs } from './backoff.ts';

describe('retry back-off', () => {
  it('stays within half and all of the capped exponential step', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 100 }), fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), (attempts, r) => {
        const step = Math.min(DEFAULT_BACKOFF.capMs, DEFAULT_BACKOFF.baseMs * 2 ** (attempts - 1));
        const delay = retryDelayMs(DEFAULT_BACKOFF, attempts, () => r);
        expect(delay).toBeGreaterThanOrEqual(Math.floor(step / 2));
        expect(delay).toBeLessThanOrEqual(step);
      }),
    );
  });

  it('grows with the attempts until the cap', () => {
    const mid = () => 0.5;
    expect(retryDelayMs(DEFAULT_BACKOFF, 1, mid)).toBe(750);
    expect(retryDelayMs(DEFAULT_BACKOFF, 2, mid)).toBe(1500);
    expect(retryDelayMs(DEFAULT_BACKOFF, 40, mid)).toBe(225_000);
  });

  it('keeps a job out of the dead letters for at least 25 minutes of failures', () => {
    // At 12 attempts (10 minutes) a registry failing about every other call, overloaded and losing
    // replies, sent one of 15 events to the dead letters in a CI run of test/registry-outage.test.ts.
    const shortestWindowMs = (random: () => number) => Array.from({ length: DEFAULT_BACKOFF.maxAttempts - 1 }, (_, i) => retryDelayMs(DEFAULT_BACKOFF, i + 1, random)).reduce((a, b) => a + b, 0);
    expect(shortestWindowMs(() => 0)).toBeGreaterThanOrEqual(25 * 60_000);
    expect(shortestWindowMs(() => 0.999_999)).toBeLessThanOrEqual(60 * 60_000);
  });

  it('sends a job to the dead letters after the last attempt or a permanent failure', () => {
    expect(afterFailure(DEFAULT_BACKOFF, DEFAULT_BACKOFF.maxAttempts, false, 0, Math.random)).toEqual({ dead: true });
    expect(afterFailure(DEFAULT_BACKOFF, 1, true, 0, Math.random)).toEqual({ dead: true });
    expect(afterFailure(DEFAULT_BACKOFF, 1, false, 1000, () => 0)).toEqual({ dead: false, nextAttemptAt: 1500 });
  });
});
