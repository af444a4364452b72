import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.ts';
import { connectRedis } from '../src/infra/redis.ts';
import { QueueStoreUnavailableError } from '../src/modules/waiting-room/queue-store-errors.ts';
import { RedisQueueStore } from '../src/modules/waiting-room/redis/redis-queue-store.ts';
import { redisSays } from '../deploy/cluster/clients.ts';
import { T0 } from './support/queue-store-kinds.ts';
import { freePort, randomKeyPrefix, redisServerOnPath } from './support/redis.ts';

const sentinelOnPath = spawnSync('redis-sentinel', ['--version'], { stdio: 'ignore' }).status === 0;
const MASTER = 'yeyak-test';

/** Child processes of this file, each killed by its own pid at the end. */
const children: ChildProcess[] = [];
const dir = mkdtempSync(join(tmpdir(), 'yeyak-sentinel-'));
afterAll(async () => {
  await Promise.all(children.map(kill));
  rmSync(dir, { recursive: true, force: true });
});

function kill(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function startRedis(port: number, extra: string[]): Promise<ChildProcess> {
  const data = mkdtempSync(join(dir, `redis-${port}-`));
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--dir', data, '--save', '', '--appendonly', 'no', ...extra], { stdio: 'ignore' });
  children.push(child);
  await until(`redis-server on ${port}`, () => redisSays(port, (c) => c.ping()));
  return child;
}

/** A Sentinel that calls the primary down after 1 s of silence and may fail over every 3 s. */
async function startSentinel(port: number, primaryPort: number): Promise<ChildProcess> {
  const conf = join(dir, `sentinel-${port}.conf`);
  // Sentinel rewrites its own file (known replicas, sentinels, epochs), so each gets its own.
  writeFileSync(
    conf,
    [
      `port ${port}`,
      'bind 127.0.0.1',
      `dir ${dir}`,
      `sentinel monitor ${MASTER} 127.0.0.1 ${primaryPort} 2`,
      `sentinel down-after-milliseconds ${MASTER} 1000`,
      `sentinel failover-timeout ${MASTER} 3000`,
      `sentinel parallel-syncs ${MASTER} 1`,
      '',
    ].join('\n'),
  );
  const child = spawn('redis-sentinel', [conf], { stdio: 'ignore' });
  children.push(child);
  return child;
}

async function tcpPort(client: Redis): Promise<number> {
  const info = await client.info('server');
  return Number(/tcp_port:(\d+)/.exec(info)?.[1]);
}

// It starts its own servers and needs no PostgreSQL: it runs once, in the embedded pass of `.ci/run`.
describe.skipIf(!redisServerOnPath || !sentinelOnPath || Boolean(process.env.DATABASE_URL))('Redis through Sentinel (own primary, replica and three Sentinels)', () => {
  it('follows a failover after kill -9 of the primary, then a switchover, with the same client; the queue scripts run on each new primary', async () => {
    const [primaryPort, replicaPort, ...sentinelPorts] = await Promise.all([1, 2, 3, 4, 5].map(() => freePort())) as [number, number, number, number, number];
    const primary = await startRedis(primaryPort, []);
    await startRedis(replicaPort, ['--replicaof', '127.0.0.1', String(primaryPort)]);
    await until('the replica in sync', () => redisSays(replicaPort, async (c) => ((await c.info('replication')).includes('master_link_status:up') ? true : undefined)));
    for (const port of sentinelPorts) await startSentinel(port, primaryPort);
    // A failover needs a quorum that knows the replica and a majority of Sentinels that know each other.
    for (const port of sentinelPorts) {
      await until(`sentinel ${port} knowing the others and the replica`, () =>
        redisSays(port, async (c) => {
          const [others, replicas] = (await Promise.all([c.call('SENTINEL', 'SENTINELS', MASTER), c.call('SENTINEL', 'REPLICAS', MASTER)])) as [unknown[], unknown[]];
          return others.length === 2 && replicas.length === 1 ? true : undefined;
        }),
      );
    }

    // The node's own configuration path: REDIS_URL's host is not dialled, the Sentinels name the primary.
    const config = loadConfig({
      YEYAK_DATA_DIR: join(dir, 'data'),
      REDIS_URL: 'redis://not-dialled.invalid:1/0',
      YEYAK_REDIS_SENTINELS: sentinelPorts.map((p) => `127.0.0.1:${p}`).join(','),
      YEYAK_REDIS_MASTER_NAME: MASTER,
    });
    const client = await connectRedis(config.redisUrl!, { sentinel: config.redisSentinel, maxReconnectDelayMs: 200 });
    const store = new RedisQueueStore(client, randomKeyPrefix());
    try {
      expect(await tcpPort(client)).toBe(primaryPort);
      const before = await Promise.all(['p1', 'p2', 'p3'].map((p) => store.join('c1', p, T0, null)));
      expect(before.map((r) => r.position).sort()).toEqual([1, 2, 3]);
      await client.set(`${MASTER}:plain`, 'before');
      // Replication is asynchronous: wait for the replica's acknowledgement so the test checks
      // failover itself, not the last milliseconds of replication lag (docs/architecture.md).
      expect(await client.call('WAIT', 1, 2000)).toBe(1);

      const killedAt = Date.now();
      await kill(primary);
      let refused = 0;
      const others: string[] = [];
      const joined = await until(
        'a join on the promoted replica',
        async () => {
          try {
            return await store.join('c1', 'p4', T0, null);
          } catch (error) {
            // While there is no primary the store fails fast and typed (503), never anything else.
            if (error instanceof QueueStoreUnavailableError) refused++;
            else others.push(String(error));
            return undefined;
          }
        },
        // A Sentinel election that fails is retried after twice the failover timeout: on a busy
        // machine the first try can miss.
        60_000,
      ).catch((error: unknown) => {
        throw new Error(`${String(error)}; ${refused} refused as unavailable, other errors: ${others.slice(0, 3).join(' | ') || 'none'}`);
      });
      expect(others).toEqual([]);
      const recoveredMs = Date.now() - killedAt;

      expect(joined).toEqual({ position: 4, created: true });
      // Each Sentinel announces the new primary (+switch-master) when it adopts it, and ioredis
      // leaves its connection on every announcement, even one naming the primary it is already on:
      // a Sentinel slower than the one the client asked drops it once more. So the next calls may
      // meet one more brief refusal; what they must find is the promoted replica and the old data.
      const settled = <T>(what: string, call: () => Promise<T>) => until(what, async () => ({ value: await call() }));
      expect((await settled('the server after failover', () => tcpPort(client))).value).toBe(replicaPort);
      // Places from before the failover are still there, and rejoining gives them back unchanged.
      expect((await settled('a rejoin', () => store.join('c1', 'p2', T0, null))).value).toEqual({ position: before[1]!.position, created: false });
      expect((await settled('a read', () => client.get(`${MASTER}:plain`))).value).toBe('before');
      await settled('a write', () => client.set(`${MASTER}:plain`, 'after'));
      expect((await settled('a read', () => client.get(`${MASTER}:plain`))).value).toBe('after');
      process.stdout.write(`sentinel failover: writes back after ${recoveredMs} ms, ${refused} calls refused (503) meanwhile\n`);
      expect(recoveredMs).toBeLessThan(60_000);

      // The old primary comes back (Sentinel makes it a replica), then a switchover demotes the
      // primary while it stays up: the client must leave it (+switch-master, READONLY), not write to it.
      await startRedis(primaryPort, []);
      await until('the old primary as an in-sync replica', () => redisSays(primaryPort, async (c) => ((await c.info('replication')).includes('master_link_status:up') ? true : undefined)));
      await until('a switchover', () => redisSays(sentinelPorts[0], async (c) => ((await c.call('SENTINEL', 'FAILOVER', MASTER)) === 'OK' ? true : undefined)), 30_000);
      const switched = await until(
        'a join on the new primary',
        async () => {
          try {
            return (await tcpPort(client)) === primaryPort ? await store.join('c1', 'p5', T0, null) : undefined;
          } catch (error) {
            expect(error).toBeInstanceOf(QueueStoreUnavailableError);
            return undefined;
          }
        },
        30_000,
      );
      expect(switched).toEqual({ position: 5, created: true });
      expect((await settled('a rejoin', () => store.join('c1', 'p1', T0, null))).value).toEqual({ position: before[0]!.position, created: false });
    } finally {
      await store.close();
    }
  }, 180_000);
});
