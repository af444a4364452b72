import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Redis } from 'ioredis';
import { connectRedis } from '../../src/infra/redis.ts';

/** The Redis the suites share when CI provides one; null runs the in-process stores only. */
export const redisUrl: string | null = process.env.REDIS_URL ?? null;

/** True when a `redis-server` binary can be started by the tests themselves. */
export const redisServerOnPath: boolean = spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status === 0;

/** A key prefix of its own for one test, so tests never see each other's keys. */
export function randomKeyPrefix(): string {
  return `yeyak-test:${randomBytes(6).toString('hex')}:`;
}

/** Removes every key under `prefix` (a test's own keys). */
export async function deleteKeys(client: Redis, prefix: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await client.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    if (keys.length > 0) await client.unlink(...keys);
    cursor = next;
  } while (cursor !== '0');
}

/** Removes a campaign's queue keys that an app with its own `yeyak:` keys left in the shared Redis (when its env names one). */
export async function deleteAppCampaignKeys(env: Record<string, string>, campaignId: string): Promise<void> {
  if (!env.REDIS_URL) return;
  const client = await connectRedis(env.REDIS_URL);
  await deleteKeys(client, `yeyak:q:{${campaignId}}`);
  client.disconnect();
}

/** A loopback port that was free a moment ago. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

function acceptsConnections(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = new Socket();
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
    socket.connect(port, '127.0.0.1');
  });
}

/**
 * A redis-server child process of the test's own, on a free loopback port, with AOF and
 * `appendfsync always` in a temporary directory: every acknowledged write survives a kill -9.
 */
export class RedisServerProcess {
  private child: ChildProcess | null = null;
  private readonly dir = mkdtempSync(join(tmpdir(), 'yeyak-redis-'));

  private constructor(readonly port: number) {}

  static async start(): Promise<RedisServerProcess> {
    const server = new RedisServerProcess(await freePort());
    await server.start();
    return server;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  /** Starts (again) on the same port and directory, and waits until it accepts connections. */
  async start(): Promise<void> {
    if (this.child) throw new Error('already running');
    const args = ['--port', String(this.port), '--bind', '127.0.0.1', '--dir', this.dir, '--appendonly', 'yes', '--appendfsync', 'always', '--save', ''];
    const child = spawn('redis-server', args, { stdio: 'ignore' });
    this.child = child;
    const deadline = Date.now() + 10_000;
    while (!(await acceptsConnections(this.port))) {
      if (child.exitCode !== null) throw new Error(`redis-server exited with ${child.exitCode}`);
      if (Date.now() > deadline) throw new Error('redis-server did not start within 10 s');
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  /** Kills the server (SIGKILL by default: no chance to flush anything more) and waits for it to exit. */
  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    const child = this.child;
    if (!child) return;
    this.child = null;
    if (child.exitCode !== null || child.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill(signal);
    });
  }

  /** Deletes what the stopped server kept on disk, so it starts again empty (Redis lost its data). */
  wipe(): void {
    if (this.child) throw new Error('stop the server before wiping its data');
    rmSync(this.dir, { recursive: true, force: true });
    mkdirSync(this.dir);
  }

  /** Stops the server and removes its directory. */
  async dispose(): Promise<void> {
    await this.kill();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
