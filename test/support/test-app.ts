import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import pg from 'pg';
import { afterAll, beforeAll } from 'vitest';
import { buildApp } from '../../src/app.ts';
import { createContext } from '../../src/bootstrap.ts';
import { createLogger } from '../../src/http/logger.ts';
import { loadConfig, type Config } from '../../src/config.ts';
import { checkDocumentedStatuses } from './documented-statuses.ts';
import type { Ctx } from '../../src/context.ts';
import { ManualClock } from '../../src/lib/clock.ts';
import { generateSignerKey } from '../../src/lib/signed-note.ts';

export const OPERATOR_KEY = 'test-operator-key-0123456789';

/** True when the suites run against a real PostgreSQL (CI sets DATABASE_URL). */
export const onPostgres = Boolean(process.env.DATABASE_URL);

export interface TestApp {
  app: FastifyInstance;
  ctx: Ctx;
  clock: ManualClock;
  config: Readonly<Config>;
  close(): Promise<void>;
}

/**
 * Each test file gets its own store: an in-memory PGlite by default, or — with DATABASE_URL — a
 * fresh PostgreSQL database created for it and dropped afterwards. Stores are real, never mocked.
 */
async function freshDatabaseUrl(): Promise<{ url: string | null; drop: () => Promise<void> }> {
  const base = process.env.DATABASE_URL;
  return base ? createDatabase(base, 'yeyak_test') : { url: null, drop: async () => {} };
}

/** A fresh database `<prefix>_<random>` next to the one `base` names, and how to drop it. */
export async function createDatabase(base: string, prefix: string): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `${prefix}_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: base });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(base);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const c = new pg.Client({ connectionString: base });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}

interface TestAppOptions {
  now?: string;
  env?: Record<string, string>;
  logStream?: { write(line: string): void };
}

/** Builds the real app on a fresh store with a manual clock. */
export async function startTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  const { url, drop } = await freshDatabaseUrl();
  const config = loadConfig({
    YEYAK_SIGNING_KEYS: `test1:${randomBytes(32).toString('base64')}`,
    YEYAK_PERSON_PEPPER: randomBytes(32).toString('base64'),
    YEYAK_ENCRYPTION_KEYS: `enc1:${randomBytes(32).toString('base64')}`,
    YEYAK_LOG_SIGNER_KEY: generateSignerKey('test.yeyak/queue-log'),
    YEYAK_OPERATOR_KEY: OPERATOR_KEY,
    YEYAK_DEV_IDENTITY: '1',
    YEYAK_DEMO: '0',
    // The default level (info) as deployed, written to a sink unless a test captures the lines.
    ...(process.env.LOG_LEVEL ? { LOG_LEVEL: process.env.LOG_LEVEL } : {}),
    YEYAK_DB_POOL_SIZE: '20',
    // Every test person signs in from the same loopback address; the limit has its own test.
    YEYAK_IDENTITY_LIMIT_PER_ADDRESS: '100000000',
    ...(url ? { DATABASE_URL: url } : {}),
    ...options.env,
  });
  const clock = new ManualClock(options.now ?? '2026-08-10T02:00:00Z');
  // The app's lines and the background work's (the queue's refresh and journal) go to the same sink.
  const logStream = options.logStream ?? { write: () => {} };
  const ctx = await createContext(config, { clock, inMemory: true, log: createLogger(config.logLevel, logStream) });
  const app = await buildApp(ctx, { logStream });
  await checkDocumentedStatuses(app);
  return {
    app,
    ctx,
    clock,
    config,
    close: async () => {
      await app.close();
      await ctx.database.close();
      await drop();
    },
  };
}

/**
 * The app of the calling file or describe block: started by its `beforeAll` (startTestApp(options)),
 * closed by its `afterAll`. The object returned reads through to that app (`t.app`, `t.ctx`,
 * `t.clock`…), so use it inside tests and hooks, not while the file is being collected.
 */
export function useTestApp(options?: TestAppOptions): TestApp {
  let started: TestApp | undefined;
  beforeAll(async () => {
    started = await startTestApp(options);
  });
  afterAll(() => started?.close());
  return new Proxy({} as TestApp, {
    get(_target, key) {
      if (!started) throw new Error(`useTestApp: read .${String(key)} before its beforeAll started the app`);
      const value: unknown = Reflect.get(started, key);
      return typeof value === 'function' ? value.bind(started) : value;
    },
  });
}
