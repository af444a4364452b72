import { describe, expect, it } from 'vitest';
import { pooledRandomBytes } from './random-pool.ts';

describe('pooledRandomBytes', () => {
  it('gives the asked number of bytes, never the same bytes twice, across refills', () => {
    const seen = new Set<string>();
    // 3,000 × 12 bytes spans about nine refills of the pool.
    for (let i = 0; i < 3000; i++) {
      const nonce = pooledRandomBytes(12);
      expect(nonce).toHaveLength(12);
      seen.add(nonce.toString('hex'));
    }
    expect(seen.size).toBe(3000);
  });

  it('keeps a result as it was after the pool was refilled', () => {
    const key = pooledRandomBytes(32);
    const copy = Buffer.from(key);
    for (let i = 0; i < 500; i++) pooledRandomBytes(32);
    expect(key.equals(copy)).toBe(true);
  });

  it('draws what a pool cannot hold from the generator directly', () => {
    expect(pooledRandomBytes(10_000)).toHaveLength(10_000);
  });

  it('looks uniform: every byte value about as often as the others', () => {
    const counts = new Array<number>(256).fill(0);
    const total = 256 * 400;
    for (let i = 0; i < total / 32; i++) for (const byte of pooledRandomBytes(32)) counts[byte]!++;
    // Each count is Binomial(102,400, 1/256): mean 400, sd 20; 6 sd either side never happens by chance.
    expect(Math.min(...counts)).toBeGreaterThan(280);
    expect(Math.max(...counts)).toBeLessThan(520);
  });
});
