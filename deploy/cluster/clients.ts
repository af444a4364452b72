import { Redis } from 'ioredis';
import pg from 'pg';
import { databaseUrl, PORTS, REDIS_MASTER_NAME } from './layout.ts';
import { until } from './processes.ts';

/** One short-lived connection to PostgreSQL through HAProxy's primary port. */
export async function withPostgres<T>(database: string, use: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: databaseUrl(database), connectionTimeoutMillis: 3000 });
  client.on('error', () => {});
  await client.connect();
  try {
    return await use(client);
  } finally {
    await client.end().catch(() => {});
  }
}

/** One short-lived, fail-fast connection to the Redis server (or Sentinel) on `port`. */
export async function redisSays<T>(port: number, ask: (r: Redis) => Promise<T>): Promise<T> {
  const r = new Redis({ port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 0, enableOfflineQueue: false, connectTimeout: 1000, retryStrategy: () => null });
  r.on('error', () => {});
  try {
    await r.connect();
    return await ask(r);
  } finally {
    r.disconnect();
  }
}

/** Which Patroni member (0, 1) its REST API calls the primary, waiting up to a minute for one. */
export async function patroniPrimary(): Promise<number> {
  return until('a Patroni primary', async () => {
    for (const [i, port] of PORTS.patroniApi.entries()) {
      const r = await fetch(`http://127.0.0.1:${port}/primary`, { signal: AbortSignal.timeout(1000) }).catch(() => null);
      if (r?.status === 200) return i;
    }
    return undefined;
  }, 60_000, 500);
}

/** The Redis primary's [host, port] as the first Sentinel names it. */
export async function sentinelPrimary(): Promise<string[]> {
  return redisSays(PORTS.sentinels[0], (r) => r.call('SENTINEL', 'GET-MASTER-ADDR-BY-NAME', REDIS_MASTER_NAME) as Promise<string[]>);
}
