import type { Redis } from 'ioredis';
import type { RateDecision, RateLimiter } from './rate-limiter.ts';
import { MemoryRateLimiter } from './rate-limiter.ts';

/**
 * KEYS[1] the window's counter. ARGV[1] the window length in ms.
 * Returns the count after this hit and the counter's remaining time to live in ms.
 */
const HIT = `
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return { n, redis.call('PTTL', KEYS[1]) }
`;

/**
 * Fixed-window counters shared by every node in Redis (one atomic script per hit), so a limit
 * holds across nodes. If Redis cannot be reached, the node falls back to its own counters: an
 * identity limit is an abuse brake, not something to take sign-in down for.
 */
export class RedisRateLimiter implements RateLimiter {
  private readonly fallback = new MemoryRateLimiter();

  constructor(
    private readonly redis: Redis,
    private readonly prefix = 'yeyak:rl:',
  ) {}

  async hit(key: string, limit: number, windowMs: number, now: Date): Promise<RateDecision> {
    const window = Math.floor(now.getTime() / windowMs);
    try {
      const [count, ttl] = (await this.redis.eval(HIT, 1, `${this.prefix}${key}:${window}`, windowMs)) as [number, number];
      if (count <= limit) return { allowed: true, retryAfterSeconds: 0 };
      return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((ttl > 0 ? ttl : windowMs) / 1000)) };
    } catch {
      return this.fallback.hit(key, limit, windowMs, now);
    }
  }
}
