import type { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { createRedisClient, whenReady } from '../src/infra/redis.ts';
import { RedisServerProcess, redisServerOnPath } from './support/redis.ts';

/**
 * Aborts the client's next connection attempt from inside ioredis, as its Sentinel failover
 * detector does when `+switch-master` arrives while the client is already reconnecting.
 */
/** Resolves at the client's next 'end' (events.once would reject on the 'error' that precedes it). */
function ended(client: Redis): Promise<void> {
  return new Promise((resolve) => client.once('end', () => resolve()));
}

function abortNextAttempt(client: Redis): void {
  client.once('connecting', () => (client as unknown as { connector: { disconnect(): void } }).connector.disconnect());
}

const servers: RedisServerProcess[] = [];
afterAll(async () => {
  await Promise.all(servers.map((server) => server.dispose()));
});

// It starts its own redis-server and needs no PostgreSQL: it runs once, in the embedded pass of `.ci/run`.
describe.skipIf(!redisServerOnPath || Boolean(process.env.DATABASE_URL))('a Redis client ended from inside ioredis', () => {
  it('connects again by itself once its server is back (seen after a Sentinel failover)', async () => {
    const server = await RedisServerProcess.start();
    servers.push(server);
    const client = createRedisClient(server.url, { maxReconnectDelayMs: 100 });
    try {
      await whenReady(client, 5_000);
      await server.kill();
      const end = ended(client);
      abortNextAttempt(client);
      // ioredis itself gives the client up here: no retry strategy is asked any more.
      await end;
      expect(client.status).toBe('end');
      await expect(client.ping()).rejects.toThrow();

      await server.start();
      await whenReady(client, 5_000);
      expect(await client.ping()).toBe('PONG');
    } finally {
      client.disconnect();
    }
  }, 30_000);

  it('stays closed when its owner quits or disconnects it', async () => {
    const server = await RedisServerProcess.start();
    servers.push(server);
    for (const close of [(c: Redis) => c.quit(), (c: Redis) => c.disconnect()]) {
      const client = createRedisClient(server.url, { maxReconnectDelayMs: 100 });
      await whenReady(client, 5_000);
      const end = ended(client);
      await close(client);
      await end;
      // Longer than any reconnection delay it could have chosen.
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(client.status).toBe('end');
    }
  }, 30_000);
});
