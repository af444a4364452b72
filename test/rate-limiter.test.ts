import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { createRedisClient, whenReady } from '../src/infra/redis.ts';
import { MemoryRateLimiter, type RateLimiter } from '../src/lib/rate-limiter.ts';
import { RedisRateLimiter } from '../src/lib/redis-rate-limiter.ts';

const now = new Date('2026-08-10T11:00:05Z');
const TEN_MINUTES = 600_000;
const clients: ReturnType<typeof createRedisClient>[] = [];
afterAll(() => Promise.all(clients.map((c) => c.quit().catch(() => {}))));

async function redisLimiters(n: number): Promise<RateLimiter[]> {
  const prefix = `test:rl:${randomBytes(4).toString('hex')}:`;
  const limiters = [];
  for (let i = 0; i < n; i++) {
    const client = createRedisClient(process.env.REDIS_URL!);
    clients.push(client);
    await whenReady(client, 2000);
    limiters.push(new RedisRateLimiter(client, prefix));
  }
  return limiters;
}

const kinds: [string, () => Promise<RateLimiter[]>][] = [['memory', async () => [new MemoryRateLimiter()]]];
if (process.env.REDIS_URL) kinds.push(['redis (three nodes)', () => redisLimiters(3)]);

describe.each(kinds)('rate limiter: %s', (_name, make) => {
  it('allows the limit in a window, then refuses with Retry-After in seconds, across all nodes', async () => {
    const nodes = await make();
    const answers = [];
    for (let i = 0; i < 4; i++) answers.push(await nodes[i % nodes.length]!.hit('id:person:x', 3, TEN_MINUTES, now));
    expect(answers.map((a) => a.allowed)).toEqual([true, true, true, false]);
    expect(answers[3]!.retryAfterSeconds).toBeGreaterThan(0);
    expect(answers[3]!.retryAfterSeconds).toBeLessThanOrEqual(600);
    // Another key, or the next window, starts afresh.
    expect((await nodes[0]!.hit('id:person:y', 3, TEN_MINUTES, now)).allowed).toBe(true);
    expect((await nodes[0]!.hit('id:person:x', 3, TEN_MINUTES, new Date(now.getTime() + TEN_MINUTES))).allowed).toBe(true);
  });
});

describe('rate limiter on an unreachable Redis', () => {
  it('falls back to the node’s own counters instead of refusing sign-in', async () => {
    const client = createRedisClient('redis://127.0.0.1:1');
    clients.push(client);
    const limiter = new RedisRateLimiter(client);
    const answers = [];
    for (let i = 0; i < 3; i++) answers.push((await limiter.hit('k', 2, TEN_MINUTES, now)).allowed);
    expect(answers).toEqual([true, true, false]);
  });
});
