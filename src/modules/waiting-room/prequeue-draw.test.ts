import { describe, expect, it } from 'vitest';
import { DRAW_BITS, ROUND_SPAN, secretDraw } from './prequeue-draw.ts';

describe('secretDraw', () => {
  it('gives integers over the whole 40-bit range: the top bit set about half the time, no value twice in 4,000', () => {
    const draws = Array.from({ length: 4000 }, () => secretDraw());
    for (const draw of draws) {
      expect(Number.isInteger(draw)).toBe(true);
      expect(draw).toBeGreaterThanOrEqual(0);
      expect(draw).toBeLessThan(ROUND_SPAN);
    }
    const topBitSet = draws.filter((d) => d >= 2 ** (DRAW_BITS - 1)).length;
    // Binomial(4000, 1/2): 6 standard deviations either side of 2,000.
    expect(topBitSet).toBeGreaterThan(1810);
    expect(topBitSet).toBeLessThan(2190);
    expect(new Set(draws).size).toBe(draws.length);
  });
});
