import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Pool } from 'undici';
import { generateSignerKey } from '../../src/lib/signed-note.ts';
import { freePort } from './redis.ts';
import { OPERATOR_KEY } from './test-app.ts';
import { createDatabase as createTestDatabase } from './test-app.ts';

/**
 * Real server processes for the multi-node suite: N nodes (`tsx src/server.ts`) over one fresh
 * PostgreSQL database and one Redis, with the same secrets, each on its own loopback port.
 * A node can be killed hard and started again on the same port. tsx runs the server in a child
 * process of its own, so a node is started as the leader of a new process group and killed as a
 * group: a kill -9 of the wrapper alone would leave the real server running.
 */

/** Process groups still running, killed when this process exits whatever happens to the suite. */
const running = new Set<number>();
process.once('exit', () => {
  for (const pgid of running) killGroup(pgid, 'SIGKILL');
});

function killGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    // already gone
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A fresh database `yeyak_mn_<random>` next to the one `base` names, and how to drop it. */
const createDatabase = (base: string) => createTestDatabase(base, 'yeyak_mn');

/** One application node: a server process on a fixed port that can be killed and restarted. */
export class NodeProcess {
  private child: ChildProcess | null = null;
  private output = '';
  /** Times this node was started (1 after the first start). */
  starts = 0;

  constructor(
    readonly index: number,
    readonly port: number,
    private readonly env: Record<string, string>,
  ) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get running(): boolean {
    return this.child !== null;
  }

  /** The last lines the process wrote (stdout and stderr), for a failure message. */
  tail(): string {
    return this.output.slice(-4000);
  }

  /** Starts the process and waits until `GET /api/v1/ready` answers 200 (or fails with its output). */
  async start(timeoutMs = 45_000): Promise<void> {
    if (this.child) throw new Error(`node ${this.index} is already running`);
    const env: Record<string, string | undefined> = { ...process.env, ...this.env, PORT: String(this.port) };
    // Options meant for the test runner's own workers are not the server's business.
    delete env.NODE_OPTIONS;
    const child = spawn(join('node_modules', '.bin', 'tsx'), ['src/server.ts'], { env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    const pgid = child.pid;
    if (pgid === undefined) throw new Error(`node ${this.index} could not be spawned`);
    running.add(pgid);
    this.child = child;
    this.starts += 1;
    const keep = (chunk: Buffer) => {
      this.output = (this.output + chunk.toString('utf8')).slice(-16_000);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    child.once('exit', () => running.delete(pgid));
    const deadline = Date.now() + timeoutMs;
    while (!(await this.ready())) {
      if (child.exitCode !== null || child.signalCode !== null) throw new Error(`node ${this.index} exited (${child.exitCode ?? child.signalCode}):\n${this.tail()}`);
      if (Date.now() > deadline) throw new Error(`node ${this.index} not ready within ${timeoutMs} ms:\n${this.tail()}`);
      await sleep(100);
    }
  }

  /** True when the node answers its readiness check with 200 (database and queue store reachable). */
  async ready(): Promise<boolean> {
    try {
      const res = await fetch(`${this.url}/api/v1/ready`, { signal: AbortSignal.timeout(2_000) });
      await res.arrayBuffer();
      return res.status === 200;
    } catch {
      return false;
    }
  }

  /** Kills the whole process group (SIGKILL by default) and waits until the server has exited. */
  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    const child = this.child;
    if (!child?.pid) return;
    this.child = null;
    const exited = child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise<void>((resolve) => child.once('exit', () => resolve()));
    killGroup(child.pid, signal);
    await exited;
    // The group's other members (the server under tsx) die with it; wait until the port is free.
    for (let i = 0; i < 100 && (await this.ready()); i++) await sleep(50);
  }
}

/** Secrets, operator key and limits shared by every node of one cluster. */
function clusterEnv(databaseUrl: string, redisUrl: string, dataDir: string): Record<string, string> {
  const key = () => randomBytes(32).toString('base64');
  return {
    HOST: '127.0.0.1',
    DATABASE_URL: databaseUrl,
    REDIS_URL: redisUrl,
    YEYAK_SIGNING_KEYS: `mn1:${key()}`,
    YEYAK_PERSON_PEPPER: key(),
    YEYAK_ENCRYPTION_KEYS: `mnenc1:${key()}`,
    YEYAK_LOG_SIGNER_KEY: generateSignerKey('test.yeyak/cluster-queue-log'),
    YEYAK_DEV_IDENTITY: '1',
    YEYAK_DEMO: '0',
    YEYAK_OPERATOR_KEY: OPERATOR_KEY,
    // Every simulated person comes from 127.0.0.1; the per-address limit has its own test.
    YEYAK_IDENTITY_LIMIT_PER_ADDRESS: '100000000',
    YEYAK_DB_POOL_SIZE: '16',
    YEYAK_DATA_DIR: dataDir,
  };
}

/** N nodes over one fresh database and the given Redis. */
export class Cluster {
  private constructor(
    readonly nodes: NodeProcess[],
    readonly databaseUrl: string,
    private readonly dropDatabase: () => Promise<void>,
    private readonly dataDir: string,
  ) {}

  /**
   * Creates the database and starts the nodes: the first one alone (it applies the migrations),
   * then the others together.
   */
  static async start(options: { nodes: number; databaseBaseUrl: string; redisUrl: string }): Promise<Cluster> {
    const { url, drop } = await createDatabase(options.databaseBaseUrl);
    const dataDir = mkdtempSync(join(tmpdir(), 'yeyak-cluster-'));
    const env = clusterEnv(url, options.redisUrl, dataDir);
    const nodes: NodeProcess[] = [];
    for (let i = 0; i < options.nodes; i++) nodes.push(new NodeProcess(i, await freePort(), env));
    const cluster = new Cluster(nodes, url, drop, dataDir);
    try {
      await nodes[0]!.start();
      await Promise.all(nodes.slice(1).map((node) => node.start()));
    } catch (error) {
      await cluster.stop();
      throw error;
    }
    return cluster;
  }

  /** Waits until every running node reports ready. */
  async allReady(timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (const node of this.nodes) {
      while (!(await node.ready())) {
        if (Date.now() > deadline) throw new Error(`node ${node.index} not ready again within ${timeoutMs} ms:\n${node.tail()}`);
        await sleep(100);
      }
    }
  }

  /** Kills every node and drops the database; safe to call more than once and after failures. */
  async stop(): Promise<void> {
    await Promise.all(this.nodes.map((node) => node.kill()));
    await this.dropDatabase().catch(() => {});
    rmSync(this.dataDir, { recursive: true, force: true });
  }
}

export interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: unknown;
}

/** The request never got an HTTP answer (refused, reset, timed out): what a load balancer retries. */
export class NetworkError extends Error {
  constructor(
    readonly node: number,
    cause: unknown,
  ) {
    super(`node ${node}: ${cause instanceof Error ? `${cause.name} ${(cause as { code?: string }).code ?? ''} ${cause.message}` : String(cause)}`);
    this.name = 'NetworkError';
  }
}

export interface SendOptions {
  body?: unknown;
  /** Sent as `Authorization: Bearer <token>`. */
  token?: string;
  headers?: Record<string, string>;
}

/** Keep-alive HTTP to each node (undici pools), JSON in and out. */
export class ClusterClient {
  private readonly pools: Pool[];
  /** A store's 503s that `patiently` (and `ok`) waited out and retried. */
  waitedOut = 0;

  constructor(
    private readonly cluster: Cluster,
    connectionsPerNode = 48,
  ) {
    this.pools = cluster.nodes.map(
      (node) => new Pool(node.url, { connections: connectionsPerNode, connectTimeout: 2_000, headersTimeout: 30_000, bodyTimeout: 30_000, keepAliveTimeout: 10_000 }),
    );
  }

  /** One request to node `node`; throws `NetworkError` when no HTTP answer came back. */
  async send(node: number, method: 'GET' | 'POST', path: string, options: SendOptions = {}): Promise<Reply> {
    const pool = this.pools[node];
    if (!pool) throw new Error(`no node ${node}`);
    const headers: Record<string, string> = { ...options.headers };
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    let res;
    try {
      res = await pool.request({ method, path, headers, body: options.body === undefined ? undefined : JSON.stringify(options.body) });
    } catch (error) {
      throw new NetworkError(node, error);
    }
    let text: string;
    try {
      text = await res.body.text();
    } catch (error) {
      throw new NetworkError(node, error);
    }
    let body: unknown = text;
    try {
      body = text ? JSON.parse(text) : null;
    } catch {
      // not JSON: kept as text
    }
    return { status: res.statusCode, headers: res.headers, body };
  }

  /**
   * Like `send`, but waits out a store's outage — 503 with Retry-After while the queue store or
   * the database is away — as a well-behaved client does (the wait capped at 1 s), for up to
   * `patienceMs`. Load shedding is not waited out: a node that sheds under these suites' load
   * breaks BRIEF §4.1 (never shed below capacity), so its 503 is returned for the test to fail on.
   */
  async patiently(node: number, method: 'GET' | 'POST', path: string, options: SendOptions = {}, patienceMs = 30_000): Promise<Reply> {
    const deadline = Date.now() + patienceMs;
    for (;;) {
      const reply = await this.send(node, method, path, options);
      const retryAfter = Number(reply.headers['retry-after']);
      const shed = (reply.body as { error?: { details?: { shed?: string } } } | null)?.error?.details?.shed !== undefined;
      if (reply.status !== 503 || shed || !(retryAfter >= 1) || Date.now() > deadline) return reply;
      this.waitedOut += 1;
      await sleep(Math.min(1_000, retryAfter * 1_000) * (0.5 + Math.random() / 2));
    }
  }

  /** Like `patiently`, but any final status other than `expected` fails with the answer. */
  async ok<T = Record<string, unknown>>(node: number, method: 'GET' | 'POST', path: string, options: SendOptions = {}, expected = [200, 201]): Promise<T> {
    const reply = await this.patiently(node, method, path, options);
    if (!expected.includes(reply.status)) {
      // A 5xx is a bug on the node: its logged errors (pino level 50 and up) say which.
      const errors = reply.status >= 500 ? (this.cluster.nodes[node]?.tail() ?? '').split('\n').filter((line) => /"level":(5|6)\d/.test(line)) : [];
      throw new Error(`${method} ${path} on node ${node} → ${reply.status}: ${JSON.stringify(reply.body)}${errors.length > 0 ? `\nthe node logged:\n${errors.join('\n')}` : ''}`);
    }
    return reply.body as T;
  }

  async close(): Promise<void> {
    await Promise.all(this.pools.map((pool) => pool.destroy()));
  }
}

/** Runs `work` over `items` with at most `limit` in flight, keeping the order of the results. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, work: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index]!, index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
