/**
 * PostgreSQL for benchmarks: a throwaway cluster (initdb in a temp dir, the server's defaults plus
 * the deployed settings of `deploy/postgresql-settings.ts`, loopback only), bench databases created and dropped by name, server facts, and pgbench runs.
 */
import { execFile, execFileSync, spawn, spawnSync } from 'node:child_process';
import { promisify } from 'node:util';
import { chownSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { postgresSettingArgs } from '../../deploy/postgresql-settings.ts';

const PG_BIN_DIR = process.env.PG_BIN_DIR || '/usr/lib/postgresql/15/bin';

function pgBin(name: string): string {
  const path = join(PG_BIN_DIR, name);
  if (!existsSync(path)) throw new Error(`${path} not found (set PG_BIN_DIR to PostgreSQL's bin directory)`);
  return path;
}

/** True when a TCP port on 127.0.0.1 can be bound now. */
function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolveFree) => {
    const server = createServer();
    server.once('error', () => resolveFree(false));
    server.listen({ port, host: '127.0.0.1', exclusive: true }, () => server.close(() => resolveFree(true)));
  });
}

/** The first free port from `start` on (127.0.0.1). */
export async function freePort(start: number): Promise<number> {
  for (let port = start; port < start + 200; port++) if (await portIsFree(port)) return port;
  throw new Error(`no free port in ${start}…${start + 199}`);
}

export interface ThrowawayCluster {
  /** URL of the `postgres` maintenance database (trust authentication, loopback only). */
  adminUrl: string;
  dir: string;
  port: number;
  /** The postmaster's pid (its children are the server's processes). */
  pid(): number | null;
  /** Stops the server and removes its directory (asynchronous: signals keep being answered meanwhile). */
  destroy(): Promise<void>;
}

/**
 * initdb + pg_ctl start in a fresh temp directory, listening on 127.0.0.1 only, with the server's
 * defaults (fsync on, synchronous_commit on) plus the deployed settings (`POSTGRES_SETTINGS`). As root the server runs as the `postgres` user.
 */
export async function startThrowawayCluster(preferredPort = 55433): Promise<ThrowawayCluster> {
  const dir = mkdtempSync(join(tmpdir(), 'yeyak-bench-pg-'));
  const data = join(dir, 'data');
  const asRoot = process.getuid?.() === 0;
  const run = (command: string, args: string[]) => {
    const [file, argv] = asRoot ? ['runuser', ['-u', 'postgres', '--', command, ...args]] : [command, args];
    const result = spawnSync(file, argv, { encoding: 'utf8', cwd: dir });
    if (result.status !== 0) throw new Error(`${command} failed (${result.status ?? result.signal}): ${(result.stderr || result.stdout || '').trim()}`);
    return result.stdout;
  };
  let started = false;
  const destroy = async () => {
    if (started) {
      started = false;
      const stop = [pgBin('pg_ctl'), '-D', data, '-m', 'fast', '-w', '-t', '60', 'stop'];
      const [file, argv] = asRoot ? ['runuser', ['-u', 'postgres', '--', ...stop]] : [stop[0]!, stop.slice(1)];
      try {
        await promisify(execFile)(file, argv, { cwd: dir });
      } catch (error) {
        console.error(`stopping the bench PostgreSQL failed: ${String(error)}`);
      }
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    if (asRoot) {
      const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
      const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
      chownSync(dir, uid, gid);
    }
    run(pgBin('initdb'), ['-D', data, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--locale=C', '--no-instructions']);
    const port = await freePort(preferredPort);
    run(pgBin('pg_ctl'), [
      '-D', data, '-l', join(dir, 'postgres.log'), '-w', '-t', '60',
      '-o', `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 ${postgresSettingArgs()}`,
      'start',
    ]);
    started = true;
    return {
      adminUrl: `postgresql://postgres@127.0.0.1:${port}/postgres`,
      dir,
      port,
      pid: () => {
        try {
          return Number(readFileSync(join(data, 'postmaster.pid'), 'utf8').split('\n')[0]) || null;
        } catch {
          return null;
        }
      },
      destroy,
    };
  } catch (error) {
    await destroy();
    throw error;
  }
}

/** The same server, another database. */
export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

export async function withClient<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

const SAFE_NAME = /^[a-z_][a-z0-9_]*$/;

export async function recreateDatabase(adminUrl: string, name: string): Promise<void> {
  if (!SAFE_NAME.test(name)) throw new Error(`unsafe database name ${name}`);
  await withClient(adminUrl, async (c) => {
    await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await c.query(`CREATE DATABASE ${name}`);
  });
}

export async function dropDatabase(adminUrl: string, name: string): Promise<void> {
  if (!SAFE_NAME.test(name)) throw new Error(`unsafe database name ${name}`);
  await withClient(adminUrl, (c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
}

export interface ServerInfo {
  version: string;
  versionNum: number;
  settings: Record<string, string>;
}

const REPORTED_SETTINGS = ['synchronous_commit', 'fsync', 'wal_sync_method', 'wal_compression', 'shared_buffers', 'max_connections'];

export async function serverInfo(url: string): Promise<ServerInfo> {
  return withClient(url, async (c) => {
    const version = (await c.query<{ version: string }>('SELECT version()')).rows[0]?.version ?? '?';
    const num = (await c.query<{ n: string }>(`SELECT current_setting('server_version_num') AS n`)).rows[0]?.n ?? '0';
    const rows = (await c.query<{ name: string; setting: string; unit: string | null }>('SELECT name, setting, unit FROM pg_settings WHERE name = ANY($1)', [REPORTED_SETTINGS])).rows;
    const settings: Record<string, string> = {};
    for (const r of rows) settings[r.name] = r.unit ? `${r.setting} × ${r.unit}` : r.setting;
    return { version, versionNum: Number(num), settings };
  });
}

/**
 * Pids of the server processes working for a database (its backends) and of the server's
 * background processes (WAL writer, checkpointer…), as the server reports them.
 */
export async function serverPids(url: string, database: string): Promise<number[]> {
  return withClient(url, async (c) => {
    const { rows } = await c.query<{ pid: number }>(
      `SELECT pid FROM pg_stat_activity WHERE (datname = $1 OR backend_type <> 'client backend') AND pid <> pg_backend_pid()`,
      [database],
    );
    return rows.map((r) => r.pid);
  });
}

export interface PgbenchResult {
  tps: number;
  latencyMs: number | null;
  transactions: number | null;
  failed: number | null;
  output: string;
}

/** Runs pgbench with `args` against `url`; `onTick(secondsSinceStart, pid)` fires every second while it runs. */
export function runPgbench(url: string, args: string[], onTick?: (second: number, pid: number) => void): Promise<PgbenchResult> {
  return new Promise((resolveRun, reject) => {
    const child = spawn(pgBin('pgbench'), [...args, url], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    let second = 0;
    const ticker = onTick ? setInterval(() => onTick(++second, child.pid ?? 0), 1000) : null;
    child.once('error', (error) => {
      if (ticker) clearInterval(ticker);
      reject(error);
    });
    child.once('close', (code, signal) => {
      if (ticker) clearInterval(ticker);
      if (code !== 0) return reject(new Error(`pgbench ${args.join(' ')} exited with ${code ?? signal}:\n${output.trim()}`));
      const tps = /tps = ([\d.]+) \(without initial connection time\)/.exec(output) ?? /tps = ([\d.]+)/.exec(output);
      const latency = /latency average = ([\d.]+) ms/.exec(output);
      const processed = /number of transactions actually processed: (\d+)/.exec(output);
      const failed = /number of failed transactions: (\d+)/.exec(output);
      resolveRun({
        tps: tps ? Number(tps[1]) : NaN,
        latencyMs: latency ? Number(latency[1]) : null,
        transactions: processed ? Number(processed[1]) : null,
        failed: failed ? Number(failed[1]) : null,
        output,
      });
    });
  });
}

export interface ActivityProfile {
  samples: number;
  /** State → average number of the database's client backends in it (e.g. `running (CPU)`, `Lock:tuple`). */
  backends: Record<string, number>;
}

/**
 * Samples pg_stat_activity every `intervalMs` until stopped: what the database's client backends
 * were doing — running, waiting for a lock or the WAL, or waiting for their client (the app).
 * It connects to `adminUrl`'s database, so its own backend is not among those it counts.
 */
export async function startActivitySampler(adminUrl: string, database: string, intervalMs = 50): Promise<{ stop(): Promise<ActivityProfile> }> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  const totals: Record<string, number> = {};
  let samples = 0;
  let running = true;
  const loop = (async () => {
    while (running) {
      const { rows } = await client.query<{ state: string | null; wait_event_type: string | null; wait_event: string | null }>(
        `SELECT state, wait_event_type, wait_event FROM pg_stat_activity WHERE datname = $1 AND backend_type = 'client backend'`,
        [database],
      );
      samples++;
      for (const r of rows) {
        const key =
          r.state === 'active'
            ? r.wait_event_type === null
              ? 'active, running (CPU)'
              : `active, waiting ${r.wait_event_type}:${r.wait_event}`
            : r.state === 'idle in transaction'
              ? 'idle in transaction (waiting for its client)'
              : r.state === 'idle'
                ? 'idle (between transactions)'
                : String(r.state);
        totals[key] = (totals[key] ?? 0) + 1;
      }
      await new Promise((r) => setTimeout(r, intervalMs));
    }
  })();
  return {
    stop: async () => {
      running = false;
      await loop;
      await client.end();
      const backends: Record<string, number> = {};
      for (const [k, n] of Object.entries(totals)) backends[k] = n / Math.max(1, samples);
      return { samples, backends };
    },
  };
}

/** The server's write-ahead log position and counters (cluster-wide: other databases count too). */
export interface WalMark {
  at: number;
  /** pg_current_wal_lsn() as a byte offset. */
  lsn: bigint;
  /** Full-page images written since the statistics were reset (pg_stat_wal). */
  fpi: number;
  records: number;
}

export async function walMark(url: string): Promise<WalMark> {
  return withClient(url, async (c) => {
    const { rows } = await c.query<{ lsn: string; fpi: string; records: string }>('SELECT pg_current_wal_lsn()::text AS lsn, wal_fpi::text AS fpi, wal_records::text AS records FROM pg_stat_wal');
    const row = rows[0]!;
    const [high, low] = row.lsn.split('/');
    return { at: performance.now(), lsn: (BigInt(`0x${high}`) << 32n) + BigInt(`0x${low}`), fpi: Number(row.fpi), records: Number(row.records) };
  });
}

/**
 * A checkpoint now. `bench:booking` takes one as its warm-up starts, so every run's timed WAL
 * follows a checkpoint alike: each page a booking touches is logged whole the first time (a
 * full-page image), whereas a checkpoint falling at a random moment made the images per booking
 * swing twofold between runs of the same code.
 */
export async function checkpoint(url: string): Promise<void> {
  await withClient(url, (c) => c.query('CHECKPOINT'));
}

/** WAL written between two marks: bytes, records and full-page images. */
export function walBetween(a: WalMark, b: WalMark): { bytes: number; records: number; fpi: number; seconds: number } {
  return { bytes: Number(b.lsn - a.lsn), records: b.records - a.records, fpi: b.fpi - a.fpi, seconds: (b.at - a.at) / 1000 };
}
