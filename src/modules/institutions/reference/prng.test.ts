import { describe, expect, it } from 'vitest';
import { mulberry32, pick, randInt } from './prng.ts';

describe('mulberry32', () => {
  it('repeats a sequence for a seed and differs for another', () => {
    const draw = (seed: number) => { const rng = mulberry32(seed); return Array.from({ length: 5 }, rng); };
    expect(draw(2021)).toEqual(draw(2021));
    expect(draw(2021)).not.toEqual(draw(2022));
  });

  it('stays in range', () => {
    const rng = mulberry32(1);
    for (let i = 0; i < 10_000; i++) {
      const x = rng();
      expect(x >= 0 && x < 1).toBe(true);
      const n = randInt(rng, 3, 5);
      expect(n >= 3 && n <= 5 && Number.isInteger(n)).toBe(true);
    }
    expect(['a', 'b']).toContain(pick(rng, ['a', 'b']));
    expect(() => pick(rng, [])).toThrow();
  });
});
