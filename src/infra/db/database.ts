import { PGlite, types } from '@electric-sql/pglite';
import { Kysely, PGliteDialect, PostgresDialect, sql, type PostgresPool, type PostgresPoolClient } from 'kysely';
import pg from 'pg';
import type { DB } from './schema.ts';

export type Db = Kysely<DB>;

export interface Database {
  db: Db;
  kind: 'pglite' | 'postgres';
  /** Resolves when the store answers a trivial query. */
  ping(): Promise<void>;
  /** Requests waiting for a pooled connection now (a saturation signal for load shedding). */
  waitingClients(): number;
  close(): Promise<void>;
}

export interface DatabaseOptions {
  databaseUrl: string | null;
  /** Directory of the embedded database; null keeps it in memory (tests). */
  dataDir: string | null;
  poolSize?: number;
}

// Dates stay `YYYY-MM-DD` strings: a JS Date would drag the process time zone into calendar days.
const DATE_OID = 1082;
const INT8_OID = 20;
pg.types.setTypeParser(DATE_OID, (value) => value);
pg.types.setTypeParser(INT8_OID, (value) => Number(value));

/** `/* prepared: <name> *\/` opening a statement's text: run it as that named prepared statement. */
const PREPARED_MARK = /^\/\* prepared: ([a-z][a-z0-9_]*) \*\//;

/**
 * The pool as Kysely sees it, with one addition: a statement whose text opens with
 * `/* prepared: <name> *\/` runs as a named prepared statement, which PostgreSQL parses and plans
 * once per connection instead of on every call (pg remembers per connection which names it has
 * prepared). Mark only a statement whose text never changes: a name must always mean one text.
 * On PGlite the mark is an ordinary comment.
 */
function preparingPool(pool: pg.Pool): PostgresPool {
  const views = new WeakMap<pg.PoolClient, PostgresPoolClient>();
  const viewOf = (client: pg.PoolClient): PostgresPoolClient => ({
    query: ((textOrCursor: string | object, parameters?: readonly unknown[]) => {
      const name = typeof textOrCursor === 'string' ? PREPARED_MARK.exec(textOrCursor)?.[1] : undefined;
      if (name === undefined) return client.query(textOrCursor as string, parameters as unknown[]);
      return client.query({ name, text: textOrCursor as string, values: parameters as unknown[] });
    }) as unknown as PostgresPoolClient['query'],
    release: (destroy?: boolean) => client.release(destroy),
    // Kysely reads it to cancel a query (else it asks the server for it).
    processID: (client as unknown as { processID?: number }).processID,
  });
  return {
    options: pool.options,
    Client: pg.Client,
    end: () => pool.end(),
    connect: async () => {
      const client = await pool.connect();
      // One view per connection: Kysely keys its connection state by the object it is given.
      let view = views.get(client);
      if (!view) views.set(client, (view = viewOf(client)));
      return view;
    },
  };
}

/** Opens PostgreSQL when a URL is given, else the embedded PGlite under `dataDir`. */
export async function openDatabase(options: DatabaseOptions): Promise<Database> {
  if (options.databaseUrl) {
    const pool = new pg.Pool({
      connectionString: options.databaseUrl,
      max: options.poolSize ?? 10,
      // A booking transaction is a few indexed statements; anything slower is a stuck lock.
      statement_timeout: 10_000,
      idle_in_transaction_session_timeout: 10_000,
    });
    // An idle connection dropped by the server (restart, failover) must not bring the process
    // down: the pool discards it and opens another on the next checkout.
    pool.on('error', () => {});
    const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool: preparingPool(pool) }) });
    return {
      db,
      kind: 'postgres',
      ping: async () => void (await sql`select 1`.execute(db)),
      waitingClients: () => pool.waitingCount,
      close: () => db.destroy(),
    };
  }
  const pglite = await PGlite.create(options.dataDir ?? undefined, {
    parsers: { [types.DATE]: (value: string) => value, [types.INT8]: (value: string) => Number(value) },
  });
  const db = new Kysely<DB>({ dialect: new PGliteDialect({ pglite }) });
  return {
    db,
    kind: 'pglite',
    ping: async () => void (await sql`select 1`.execute(db)),
    // One connection; requests queue inside Kysely's mutex, which does not say how many wait.
    waitingClients: () => 0,
    close: () => db.destroy(),
  };
}
