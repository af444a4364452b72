/**
 * Starts the Yeyak under test for a load run, and stops it: either the embedded default (one app
 * process, PGlite in a temporary directory, the in-process queue store) or scale-out (a fresh
 * database `yeyak_load_<random>` on DATABASE_URL's server, Redis at REDIS_URL, and N app
 * processes behind one port through node:cluster). Both are the real app with a node's background
 * work, the waiting-room refresher and the outbox relay (bench/lib/queue-app.ts). Everything
 * listens on 127.0.0.1.
 */
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { appEnvironment } from '../../bench/lib/app-env.ts';
import { Redis } from 'ioredis';
import { dropDatabase, freePort, recreateDatabase, serverPids, withDatabase } from '../../bench/lib/postgres.ts';
import { forkTs, stopChild, waitForMessage } from '../../bench/lib/processes.ts';
import { deleteCampaignKeys } from '../../bench/lib/redis-keys.ts';

const root = resolve(import.meta.dirname, '../..');

export interface SystemOptions {
  /** App processes (scale-out only; the embedded default is one process). */
  apps: number;
  /** Use DATABASE_URL and REDIS_URL (both must be set). */
  scaleOut: boolean;
  /** Extra environment for the app (e.g. YEYAK_ADMISSION_TTL_SECONDS). */
  env?: Record<string, string>;
}

export interface RunningSystem {
  mode: 'embedded' | 'scale-out';
  origin: string;
  operatorKey: string;
  /** Every app process: [pid, label]. */
  processes: [number, string][];
  /** Scale-out: the PostgreSQL and Redis processes serving the run (when those servers run on this machine). */
  serverProcesses(): Promise<[number, string][]>;
  /** The app's configuration environment (for opening its database afterwards). */
  env: NodeJS.ProcessEnv;
  /** Stops the app processes (the database stays, for the checks). */
  stopApps(): Promise<void>;
  /** Removes what the run created: the data directory, or the database and the campaign's Redis keys. */
  cleanUp(campaignId: string | null): Promise<void>;
}

export async function startSystem(options: SystemOptions): Promise<RunningSystem> {
  const dataDir = mkdtempSync(join(tmpdir(), 'yeyak-load-'));
  const extra: Record<string, string> = { ...(options.env ?? {}) };
  let database: { adminUrl: string; name: string } | null = null;
  if (options.scaleOut) {
    const adminUrl = process.env.DATABASE_URL;
    const redisUrl = process.env.REDIS_URL;
    if (!adminUrl || !redisUrl) throw new Error('scale-out needs both DATABASE_URL and REDIS_URL');
    database = { adminUrl, name: `yeyak_load_${randomBytes(5).toString('hex')}` };
    await recreateDatabase(adminUrl, database.name);
    Object.assign(extra, { DATABASE_URL: withDatabase(adminUrl, database.name), REDIS_URL: redisUrl });
  }
  const port = await freePort(56000 + Math.floor(Math.random() * 2000));
  const env = appEnvironment(dataDir, { ...extra, PORT: String(port), YEYAK_LOAD_APPS: String(options.apps) });
  let child: ChildProcess;
  let processes: [number, string][];
  try {
    if (options.scaleOut) {
      child = forkTs(join(root, 'load/lib/cluster-app.ts'), { cwd: root, env, stdoutFile: join(dataDir, 'app.log') });
      const ready = await waitForMessage<{ type: 'listening'; pid: number; workers: number[] }>(child, 'listening', 120_000);
      processes = [[ready.pid, 'cluster primary'], ...ready.workers.map((pid, i): [number, string] => [pid, `app ${i + 1}`])];
    } else {
      child = forkTs(join(root, 'bench/lib/queue-app.ts'), { cwd: root, env, stdoutFile: join(dataDir, 'app.log') });
      const ready = await waitForMessage<{ type: 'listening'; pid: number }>(child, 'listening', 120_000);
      processes = [[ready.pid, 'app']];
    }
  } catch (error) {
    if (database) await dropDatabase(database.adminUrl, database.name).catch(() => {});
    rmSync(dataDir, { recursive: true, force: true });
    throw error;
  }
  return {
    mode: options.scaleOut ? 'scale-out' : 'embedded',
    origin: `http://127.0.0.1:${port}`,
    operatorKey: env.YEYAK_OPERATOR_KEY!,
    processes,
    env,
    serverProcesses: async () => {
      if (!database) return [];
      const found: [number, string][] = [];
      for (const pid of await serverPids(withDatabase(database.adminUrl, database.name), database.name).catch(() => [])) found.push([pid, 'postgres']);
      const redis = new Redis(process.env.REDIS_URL!, { lazyConnect: true, maxRetriesPerRequest: 1 });
      try {
        await redis.connect();
        const pid = Number(/process_id:(\d+)/.exec(await redis.info('server'))?.[1]);
        if (pid) found.push([pid, 'redis (a shared server: other users count too)']);
      } catch {
        // Redis elsewhere or unreachable: its CPU is not ours to show.
      } finally {
        redis.disconnect();
      }
      return found;
    },
    stopApps: () => stopChild(child, 15_000),
    cleanUp: async (campaignId) => {
      await stopChild(child, 15_000);
      if (database) await dropDatabase(database.adminUrl, database.name).catch((error: unknown) => console.error(`could not drop ${database.name}: ${String(error)}`));
      if (options.scaleOut && campaignId) await deleteCampaignKeys(process.env.REDIS_URL!, campaignId);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
