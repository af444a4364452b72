import { Kysely, PGliteDialect, PostgresDialect, sql, type PostgresPool, type PostgresPoolClient } from 'kysely';
import pg from 'pg';
import type { DB } from './schema.ts';
import { PgliteThread } from './pglite-thread.ts';
import { DataDirLock } from './data-dir-lock.ts';
import { isStalePlan } from './database-errors.ts';
import { StatementNames } from './statement-names.ts';

export type Db = Kysely<DB>;

export interface Database {
  db: Db;
  /**
   * The booking path's own connections (search, slots, book, change, cancel): a bulkhead, so a
   * sign-in storm queueing for the main pool does not hold up people already admitted, and the
   * admission controller reads the path's latency, not the crowd's. The main `db` where there is no
   * second pool (PGlite, or `bookingPoolSize` 0).
   */
  bookingDb: Db;
  /**
   * The node's background work's own connections (the waiting room's journal and doses, the queue
   * log's sequencer, the outbox relay and its pruner): so the work a node does beside its requests
   * neither holds the main pool's connections from sign-ins nor counts in the wait that sheds them.
   * The main `db` where there is no third pool (PGlite, or `backgroundPoolSize` 0).
   */
  backgroundDb: Db;
  kind: 'pglite' | 'postgres';
  /** Resolves when the store answers a trivial query. */
  ping(): Promise<void>;
  /** Requests waiting for a connection of the main pool now (a saturation signal for load shedding). */
  mainPoolWaiting(): number;
  /** Requests waiting for a connection of the booking path's pool now (the main pool's where it has none). */
  bookingPoolWaiting(): number;
  close(): Promise<void>;
}

export interface DatabaseOptions {
  databaseUrl: string | null;
  /** Directory of the embedded database; null keeps it in memory (tests). */
  dataDir: string | null;
  poolSize?: number;
  /** Connections of the booking path's own pool; 0 (the default) shares the main pool. */
  bookingPoolSize?: number;
  /** Connections of the background work's own pool; 0 (the default) shares the main pool. */
  backgroundPoolSize?: number;
  /**
   * Run recurring statements as named prepared statements (default true). Off for a pooler in
   * transaction mode that cannot keep them (PgBouncer before 1.21, or without max_prepared_statements).
   */
  prepareStatements?: boolean;
  /** Told how long each call waited for a connection, and each statement's round trip (seconds). */
  observe?: DatabaseObserver;
}

/** `pool` is `main`, `booking` or `background`. */
interface DatabaseObserver {
  poolWait(pool: string, seconds: number): void;
  statement(pool: string, seconds: number): void;
}

// Dates stay `YYYY-MM-DD` strings: a JS Date would drag the process time zone into calendar days.
const DATE_OID = 1082;
const INT8_OID = 20;
pg.types.setTypeParser(DATE_OID, (value) => value);
pg.types.setTypeParser(INT8_OID, (value) => Number(value));

// The statements by which Kysely opens and ends a transaction (savepoints aside).
const OPENS_TRANSACTION = /^(begin|start transaction)\b/i;
const ENDS_TRANSACTION = /^(commit|rollback)$/i;

/**
 * The pool as Kysely sees it, with one addition: statements that recur run as named prepared
 * statements (`StatementNames` decides which). On PGlite every text runs as it is.
 *
 * A prepared statement whose table gained or lost a column since (a migration while this node
 * runs: a rolling deploy) is refused on its connection for good (`isStalePlan`). The connection is
 * then discarded when released, and a statement outside a transaction is run again at once,
 * unprepared; inside one, the transaction has failed and the error is a 503 the client retries.
 */
function preparingPool(pool: pg.Pool, names: StatementNames | null, observe: { poolWait(seconds: number): void; statement(seconds: number): void } | undefined): PostgresPool {
  const views = new WeakMap<pg.PoolClient, PostgresPoolClient>();
  const stale = new WeakSet<pg.PoolClient>();
  const viewOf = (client: pg.PoolClient): PostgresPoolClient => {
    let inTransaction = false;
    const run = (text: string, parameters: unknown[] | undefined, name: string | undefined) =>
      name === undefined ? client.query(text, parameters) : client.query({ name, text, values: parameters });
    return {
      query: ((textOrCursor: string | object, parameters?: readonly unknown[]) => {
        // A cursor (a streamed read) is passed through as it is.
        if (typeof textOrCursor !== 'string') return client.query(textOrCursor as pg.Submittable);
        const text = textOrCursor;
        const values = parameters as unknown[] | undefined;
        const name = names?.nameFor(text);
        const startedAt = performance.now();
        const alone = !inTransaction;
        if (OPENS_TRANSACTION.test(text)) inTransaction = true;
        else if (ENDS_TRANSACTION.test(text)) inTransaction = false;
        let answer = run(text, values, name);
        if (name !== undefined) {
          answer = answer.catch((error: unknown) => {
            if (!isStalePlan(error)) throw error;
            stale.add(client);
            if (!alone) throw error;
            return run(text, values, undefined);
          });
        }
        if (observe) {
          const done = () => observe.statement((performance.now() - startedAt) / 1000);
          answer.then(done, done);
        }
        return answer;
      }) as unknown as PostgresPoolClient['query'],
      release: (destroy?: boolean) => {
        inTransaction = false;
        client.release(destroy === true || stale.has(client));
      },
      // Kysely reads it to cancel a query (else it asks the server for it).
      processID: (client as unknown as { processID?: number }).processID,
    };
  };
  return {
    options: pool.options,
    Client: pg.Client,
    end: () => pool.end(),
    connect: async () => {
      const startedAt = performance.now();
      const client = await pool.connect();
      observe?.poolWait((performance.now() - startedAt) / 1000);
      // One view per connection: Kysely keys its connection state by the object it is given.
      let view = views.get(client);
      if (!view) views.set(client, (view = viewOf(client)));
      return view;
    },
  };
}

function openPool(url: string, size: number, names: StatementNames | null, label: string, observe: DatabaseObserver | undefined): { pool: pg.Pool; db: Db } {
  const pool = new pg.Pool({
    connectionString: url,
    max: size,
    // Which pool a connection belongs to, in pg_stat_activity (a URL's own application_name wins).
    application_name: `yeyak-${label}`,
    // A booking transaction is a few indexed statements; anything slower is a stuck lock.
    statement_timeout: 10_000,
    idle_in_transaction_session_timeout: 10_000,
  });
  // An idle connection dropped by the server (restart, failover) must not bring the process
  // down: the pool discards it and opens another on the next checkout.
  pool.on('error', () => {});
  // Nor one dropped while checked out between two statements (a transaction awaiting the app):
  // node-postgres then emits 'error' on the client itself, which nothing else listens to, and an
  // unhandled 'error' event ends the process — every node at once in a failover. The next
  // statement on it fails instead (mapped to 503), and the pool discards it when released.
  pool.on('connect', (client) => client.on('error', () => {}));
  const told = observe && { poolWait: (seconds: number) => observe.poolWait(label, seconds), statement: (seconds: number) => observe.statement(label, seconds) };
  return { pool, db: new Kysely<DB>({ dialect: new PostgresDialect({ pool: preparingPool(pool, names, told) }) }) };
}

/** Opens PostgreSQL when a URL is given, else the embedded PGlite under `dataDir`. */
export async function openDatabase(options: DatabaseOptions): Promise<Database> {
  if (options.databaseUrl) {
    // One naming per process: a text has the same name on every pool's connections.
    const names = options.prepareStatements === false ? null : new StatementNames();
    const main = openPool(options.databaseUrl, options.poolSize ?? 10, names, 'main', options.observe);
    const booking = options.bookingPoolSize ? openPool(options.databaseUrl, options.bookingPoolSize, names, 'booking', options.observe) : null;
    const background = options.backgroundPoolSize ? openPool(options.databaseUrl, options.backgroundPoolSize, names, 'background', options.observe) : null;
    return {
      db: main.db,
      bookingDb: booking?.db ?? main.db,
      backgroundDb: background?.db ?? main.db,
      kind: 'postgres',
      ping: async () => void (await sql`select 1`.execute(main.db)),
      mainPoolWaiting: () => main.pool.waitingCount,
      bookingPoolWaiting: () => (booking ?? main).pool.waitingCount,
      close: async () => {
        await Promise.all([main.db.destroy(), booking?.db.destroy(), background?.db.destroy()]);
      },
    };
  }
  // PGlite in a worker thread (same type parsers, same durability): its statements run in
  // WebAssembly synchronously, and must not stall the event loop while they do.
  // One process at a time on a data directory: PGlite has no lock of its own (data-dir-lock.ts).
  const lock = options.dataDir === null ? null : DataDirLock.take(options.dataDir);
  let pglite: PgliteThread;
  try {
    pglite = await PgliteThread.open(options.dataDir);
  } catch (error) {
    lock?.release();
    throw error;
  }
  const db = new Kysely<DB>({ dialect: new PGliteDialect({ pglite }) });
  return {
    db,
    bookingDb: db,
    backgroundDb: db,
    kind: 'pglite',
    ping: async () => void (await sql`select 1`.execute(db)),
    // One connection; requests queue inside Kysely's mutex, which does not say how many wait.
    mainPoolWaiting: () => 0,
    bookingPoolWaiting: () => 0,
    close: async () => {
      try {
        await db.destroy();
      } finally {
        lock?.release();
      }
    },
  };
}
