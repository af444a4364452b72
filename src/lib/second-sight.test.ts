import { describe, expect, it } from 'vitest';
import { SecondSight } from './second-sight.ts';

describe('SecondSight', () => {
  it('says a key is new the first time and seen the second', () => {
    const sight = new SecondSight(1024);
    const token = `header.payload.${'a1B2'.repeat(11)}`;
    expect(sight.seenBefore(token)).toBe(false);
    expect(sight.seenBefore(token)).toBe(true);
    expect(sight.seenBefore(`header.payload.${'c3D4'.repeat(11)}`)).toBe(false);
    expect(sight.seenBefore(token)).toBe(true);
  });

  it('spreads keys that differ only in their last characters over its slots', () => {
    const sight = new SecondSight(1 << 20);
    const keys = Array.from({ length: 1000 }, (_, i) => `person-${String(i).padStart(6, '0')}`);
    expect(keys.filter((k) => sight.seenBefore(k))).toEqual([]);
    // A thousand keys in a million slots: by chance about one shares a slot with another (the
    // later one then takes it). Keys that hashed alike would lose far more.
    expect(keys.filter((k) => sight.seenBefore(k)).length).toBeGreaterThanOrEqual(995);
  });

  it('forgets a key once another takes its slot', () => {
    const sight = new SecondSight(2);
    const keys = Array.from({ length: 50 }, (_, i) => `k${i}`);
    for (const k of keys) sight.seenBefore(k);
    // Two slots: at most two of fifty keys can still be remembered.
    expect(keys.filter((k) => sight.seenBefore(k)).length).toBeLessThanOrEqual(2);
  });
});
