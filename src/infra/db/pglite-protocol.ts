/**
 * The messages between the main thread (`pglite-thread.ts`) and the worker that owns PGlite
 * (`pglite-worker.ts`). Plain data only: they cross threads by structured clone. The worker runs
 * this file through Node's own type stripping, so it keeps to erasable TypeScript.
 */

/** What the worker is started with. */
export interface WorkerOptions {
  /** Directory of the database; null keeps it in memory. */
  dataDir: string | null;
}

/** A statement's answer, as Kysely's PGlite driver reads it. */
export interface QueryResult {
  rows: unknown[];
  affectedRows?: number;
  fields: { name: string; dataTypeID: number }[];
}

/**
 * One request. `tx` names a transaction opened by `begin` (null: outside any transaction); `end`
 * commits or rolls it back.
 */
export type Request =
  | { id: number; op: 'query'; sql: string; params: unknown[]; rowMode: 'object' | 'array'; tx: number | null }
  | { id: number; op: 'begin'; tx: number }
  | { id: number; op: 'end'; tx: number; commit: boolean }
  | { id: number; op: 'close' };

/** The answer to request `id`; id 0 answers the start (PGlite open, or why not). */
export type Reply = { id: number; ok: true; value?: QueryResult } | { id: number; ok: false; error: SerialisedError };

/** An error as it crosses the thread boundary: structured clone keeps only `message` of an Error. */
export interface SerialisedError {
  message: string;
  name: string;
  /** PostgreSQL's fields (`code`, `constraint`, `detail`, `table`, `schema`, `column`, `severity`, …). */
  fields: Record<string, string | number | boolean>;
}

/** The fields that must not cross: the message and name travel on their own; `params` may be large. */
const NOT_COPIED = new Set(['message', 'name', 'stack', 'params', 'queryOptions']);

/** Every own primitive field of `error` (PGlite's `DatabaseError` keeps PostgreSQL's fields so). */
export function serialiseError(error: unknown): SerialisedError {
  if (!(error instanceof Error)) return { message: String(error), name: 'Error', fields: {} };
  const fields: Record<string, string | number | boolean> = {};
  for (const [key, value] of Object.entries(error)) {
    if (NOT_COPIED.has(key)) continue;
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') fields[key] = value;
  }
  return { message: error.message, name: error.name, fields };
}

/** An Error carrying the fields again, so `error.code === '23505'` and `error.constraint` read as in process. */
export function rebuildError(serialised: SerialisedError): Error {
  const error = new Error(serialised.message);
  // PGlite names its errors `error` (String(error) reads `error: duplicate key …`), as before.
  error.name = serialised.name;
  return Object.assign(error, serialised.fields);
}
