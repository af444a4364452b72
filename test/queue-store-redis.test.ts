import { describe, expect, it, onTestFinished } from 'vitest';
import { connectRedis, createRedisClient } from '../src/infra/redis.ts';
import type { QueueStore } from '../src/modules/waiting-room/queue-store.ts';
import { QueueStoreUnavailableError } from '../src/modules/waiting-room/queue-store-errors.ts';
import { SCRIPTS } from '../src/modules/waiting-room/redis/lua-scripts.ts';
import { campaignKeys } from '../src/modules/waiting-room/redis/queue-keys.ts';
import { RedisQueueStore } from '../src/modules/waiting-room/redis/redis-queue-store.ts';
import { at, joinInOrder, randomCampaignId, range, T0, TTL, type Deployment } from './support/queue-store-kinds.ts';
import { deleteKeys, freePort, randomKeyPrefix, redisServerOnPath, redisUrl, RedisServerProcess } from './support/redis.ts';

/**
 * The Redis store beyond the shared contract (queue-store*.contract.test.ts): failing fast when
 * Redis is unreachable, the per-campaign hash tag, scripts Redis has forgotten (with REDIS_URL),
 * and a kill -9 of its own redis-server (when `redis-server` is on the PATH).
 */

describe('RedisQueueStore without a reachable Redis', () => {
  it('rejects every call at once with QueueStoreUnavailableError, never queueing or hanging', async () => {
    const client = createRedisClient(`redis://127.0.0.1:${await freePort()}`, { maxReconnectDelayMs: 100 });
    const store = new RedisQueueStore(client, randomKeyPrefix());
    onTestFinished(() => store.close());
    await expectUnavailableFast(store);
  });

  it('refuses a key prefix or campaign id that would break the per-campaign hash tag', () => {
    const client = createRedisClient('redis://127.0.0.1:1', { maxReconnectDelayMs: 100 });
    onTestFinished(() => client.disconnect());
    expect(() => new RedisQueueStore(client, 'yeyak:{x}:')).toThrow();
    expect(() => campaignKeys('yeyak:', 'a}b')).toThrow();
    const keys = Object.values(campaignKeys('yeyak:', 'c-2026'));
    expect(keys.every((key) => key.startsWith('yeyak:q:{c-2026}:'))).toBe(true);
  });
});

/** Every operation rejects with QueueStoreUnavailableError, each well under a second. */
async function expectUnavailableFast(store: QueueStore): Promise<void> {
  const c = 'c-down';
  const calls: Array<() => Promise<unknown>> = [
    () => store.join(c, 'p', T0, null),
    () => store.join(c, 'p', T0, 0),
    () => store.positionOf(c, 'p'),
    () => store.open(c, 0, 0),
    () => store.tick(c, T0, { ratePerSecond: 1, maxActive: 10 }),
    () => store.snapshot(c, T0),
    () => store.admit(c, 'p', 1, T0, TTL),
    () => store.extend(c, 'p', T0, TTL),
    () => store.release(c, 'p', T0),
    () => store.setPaused(c, true, null, 0),
    () => store.setClosed(c, true, 0),
    () => store.ping(),
  ];
  for (const call of calls) {
    const started = performance.now();
    await expect(call()).rejects.toBeInstanceOf(QueueStoreUnavailableError);
    // Refused at once (no offline queue), not after the 1 s command timeout: the margin is for a busy machine.
    expect(performance.now() - started).toBeLessThan(750);
  }
}

describe.skipIf(!redisUrl)('RedisQueueStore on REDIS_URL', () => {
  it('runs its scripts again after Redis has forgotten them (NOSCRIPT)', async () => {
    const client = await connectRedis(redisUrl!);
    const prefix = randomKeyPrefix();
    const store = new RedisQueueStore(client, prefix);
    const admin = await connectRedis(redisUrl!);
    onTestFinished(async () => {
      await deleteKeys(admin, prefix);
      await store.close();
      await admin.quit();
    });
    expect(await store.join('c1', 'p1', T0, null)).toEqual({ position: 1, created: true });
    expect(await admin.script('FLUSH')).toBe('OK');
    expect(await store.join('c1', 'p2', T0, null)).toEqual({ position: 2, created: true });
    expect(await admin.script('EXISTS', SCRIPTS.join.sha)).toEqual([1]);
  });
});

describe.skipIf(!redisServerOnPath)('RedisQueueStore across a Redis restart (own redis-server, AOF always)', () => {
  it('keeps places, counters and admissions through kill -9, fails fast while down, and works again after reconnecting', async () => {
    const server = await RedisServerProcess.start();
    const prefix = randomKeyPrefix();
    const clients = await Promise.all(range(1, 2).map(() => connectRedis(server.url, { maxReconnectDelayMs: 100 })));
    const nodes = clients.map((client) => new RedisQueueStore(client, prefix));
    onTestFinished(async () => {
      await Promise.all(nodes.map((node) => node.close()));
      await server.dispose();
    });
    const d: Deployment = { nodes, campaignId: randomCampaignId() };
    const c = d.campaignId;
    const early = range(1, 20).map((i) => `early-${i}`);
    await joinInOrder(d, c, early, 0);
    await at(d, 0).open(c, 0, 0);
    await joinInOrder(d, c, range(1, 10).map((i) => `late-${i}`), null);
    const policy = { ratePerSecond: 4, maxActive: 100 };
    await at(d, 0).tick(c, T0, policy);
    await at(d, 1).tick(c, T0 + 1_000, policy);
    const places = await Promise.all(early.map((person) => at(d, 0).positionOf(c, person)));
    const firstInLine = early[places.indexOf(1)]!;
    const admission = await at(d, 1).admit(c, firstInLine, 1, T0 + 1_000, TTL);
    const before = await at(d, 0).snapshot(c, T0 + 1_000);

    await server.kill('SIGKILL');
    // Down, as every node sees it once its socket has closed (calls in flight: next test).
    await until(() => clients.every((client) => client.status !== 'ready'));
    for (const node of nodes) await expectUnavailableFast(node);

    await server.start();
    await Promise.all(nodes.map((node) => waitUntilReachable(node)));
    expect(await at(d, 1).snapshot(c, T0 + 1_000)).toEqual(before);
    expect(await Promise.all(early.map((person) => at(d, 1).positionOf(c, person)))).toEqual(places);
    expect(await at(d, 0).admit(c, firstInLine, 1, T0 + 2_000, TTL)).toEqual({ ...admission, created: false });
    expect(await at(d, 1).join(c, 'after-restart', T0 + 2_000, null)).toEqual({ position: 31, created: true });
    expect((await at(d, 0).tick(c, T0 + 2_000, policy)).servingUpTo).toBe(8);
  });

  it('settles calls in flight when Redis dies, with a result or QueueStoreUnavailableError, never hanging', async () => {
    const server = await RedisServerProcess.start();
    const store = new RedisQueueStore(await connectRedis(server.url, { maxReconnectDelayMs: 100 }), randomKeyPrefix());
    onTestFinished(async () => {
      await store.close();
      await server.dispose();
    });
    const started = performance.now();
    const settled = Promise.allSettled(range(1, 2000).map((i) => store.join('c1', `person-${i}`, T0, null)));
    await server.kill('SIGKILL');
    const outcomes = await settled;
    expect(performance.now() - started).toBeLessThan(3_000);
    for (const outcome of outcomes) {
      if (outcome.status === 'rejected') expect(outcome.reason).toBeInstanceOf(QueueStoreUnavailableError);
    }
  });
});

/** Polls the store's ping until it answers (the client reconnects with backoff on its own). */
async function waitUntilReachable(store: QueueStore): Promise<void> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    try {
      await store.ping();
      return;
    } catch (error) {
      if (!(error instanceof QueueStoreUnavailableError) || Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }
}

async function until(condition: () => boolean): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met within 5 s');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
