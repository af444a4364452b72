import { randomBytes, randomFillSync } from 'node:crypto';

/** How many of the generator's bytes one refill draws: 128 data keys, or 340 nonces. */
const POOL_BYTES = 4096;

let pool: Buffer = Buffer.alloc(0);
let offset = 0;

/**
 * `n` bytes from the operating system's cryptographic generator (as `randomBytes`), drawn from a
 * pool refilled 4 KiB at a time. A call of `randomBytes` costs about 10 µs on this machine
 * whatever its size; sign-in needs seven (two data keys, five nonces), which were an eighth of its
 * CPU. A refill allocates a new buffer, so bytes are never handed out twice and a result stays
 * valid; it is a view of the pool, not a copy (`createSecretKey` and the ciphers copy what they keep).
 */
export function pooledRandomBytes(n: number): Buffer {
  if (n > POOL_BYTES) return randomBytes(n);
  if (offset + n > pool.length) {
    pool = randomFillSync(Buffer.allocUnsafeSlow(POOL_BYTES));
    offset = 0;
  }
  const bytes = pool.subarray(offset, offset + n);
  offset += n;
  return bytes;
}
