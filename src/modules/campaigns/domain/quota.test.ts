import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { splitEvenly } from './quota.ts';

describe('splitEvenly', () => {
  it('gives the +1 shares to consecutive parts from rotateBy % parts', () => {
    expect(splitEvenly(23, 10)).toEqual([3, 3, 3, 2, 2, 2, 2, 2, 2, 2]);
    expect(splitEvenly(23, 10, 8)).toEqual([3, 2, 2, 2, 2, 2, 2, 2, 3, 3]);
    expect(splitEvenly(23, 10, 18)).toEqual(splitEvenly(23, 10, 8));
    expect(splitEvenly(23, 10, -2)).toEqual(splitEvenly(23, 10, 8));
    expect(splitEvenly(0, 3)).toEqual([0, 0, 0]);
    expect(splitEvenly(2, 5, 4)).toEqual([1, 0, 0, 0, 1]);
    expect(splitEvenly(30, 10, 7)).toEqual(Array(10).fill(3));
    expect(splitEvenly(7, 1, 5)).toEqual([7]);
  });

  it.each([
    [-1, 10],
    [1.5, 10],
    [Number.NaN, 10],
    [10, 0],
    [10, 2.5],
  ])('rejects total=%d parts=%d with a RangeError', (total, parts) => {
    expect(() => splitEvenly(total, parts)).toThrow(RangeError);
  });

  const total = fc.integer({ min: 0, max: 1_000_000 });
  const parts = fc.integer({ min: 1, max: 50 });
  const rotateBy = fc.integer({ min: -1000, max: 1000 });

  it('returns parts non-negative integers summing to total, max − min ≤ 1', () => {
    fc.assert(
      fc.property(total, parts, rotateBy, (t, p, r) => {
        const shares = splitEvenly(t, p, r);
        expect(shares).toHaveLength(p);
        expect(shares.every((s) => Number.isInteger(s) && s >= 0)).toBe(true);
        expect(shares.reduce((a, b) => a + b, 0)).toBe(t);
        expect(Math.max(...shares) - Math.min(...shares)).toBeLessThanOrEqual(1);
      }),
    );
  });

  it('places the extra doses on a consecutive run starting at rotateBy % parts', () => {
    fc.assert(
      fc.property(total, parts, rotateBy, (t, p, r) => {
        const shares = splitEvenly(t, p, r);
        const start = ((r % p) + p) % p;
        const extra = t % p;
        shares.forEach((s, i) => expect(s).toBe(Math.floor(t / p) + ((i - start + p) % p < extra ? 1 : 0)));
      }),
    );
  });

  it('rotating over parts consecutive dates gives every part the same total', () => {
    fc.assert(
      fc.property(total, parts, (t, p) => {
        const perPart = Array<number>(p).fill(0);
        for (let r = 0; r < p; r++) splitEvenly(t, p, r).forEach((s, i) => (perPart[i] = (perPart[i] ?? 0) + s));
        expect(new Set(perPart).size).toBe(1);
      }),
    );
  });
});
