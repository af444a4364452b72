import { PGlite, types, type Transaction } from '@electric-sql/pglite';
import { parentPort, workerData } from 'node:worker_threads';
import { serialiseError, type QueryResult, type Reply, type Request, type WorkerOptions } from './pglite-protocol.ts';
import { PgliteStatistics } from './pglite-statistics.ts';
import { keepWasmImportWrappersGeneric } from './wasm-wrapper-tier-up.ts';

/**
 * The embedded database's own thread. PGlite runs PostgreSQL in WebAssembly synchronously, so on
 * the main thread every statement stalled HTTP for as long as it ran; here it stalls only this
 * thread. Requests come from `pglite-thread.ts` (`pglite-protocol.ts` lists them). Loaded by Node's
 * own type stripping, not tsx, so it (and what it imports) keeps to erasable TypeScript.
 *
 * Transactions run here, keyed by the id the main thread gave them, inside PGlite's own
 * `transaction()`: PGlite then begins, commits, rolls back, reports a COMMIT that rolled back
 * (25P02, which Kysely turns into its aborted-transaction error) and, above all, holds its
 * exclusive lock so that no statement from outside the transaction runs inside it — exactly as
 * when PGlite ran in process. A main-thread mutex around BEGIN/COMMIT would have to redo all that.
 */
const port = parentPort!;
const options = workerData as WorkerOptions;

/**
 * The options PGlite ran with in process, unchanged: dates stay `YYYY-MM-DD` strings and int8
 * becomes a number (as on `pg`, `database.ts`); durability is PGlite's default (no
 * `relaxedDurability`: a statement answers once its writes are in the files).
 */
keepWasmImportWrappersGeneric();
const pglite = await PGlite.create(options.dataDir ?? undefined, {
  parsers: { [types.DATE]: (value: string) => value, [types.INT8]: (value: string) => Number(value) },
}).catch(failStart);
const statistics = new PgliteStatistics(pglite);

/** Tells the main thread why the database did not open, then fails the worker. */
function failStart(error: unknown): never {
  reply({ id: 0, ok: false, error: serialiseError(error) });
  throw error;
}

interface OpenTransaction {
  tx: Transaction;
  /** Resolved with true to commit, false to roll back. */
  end: PromiseWithResolvers<boolean>;
  /** PGlite's `transaction()`: settles once committed or rolled back. */
  settled: Promise<void>;
}
const transactions = new Map<number, OpenTransaction>();

function reply(message: Reply): void {
  port.postMessage(message);
}

async function query(request: Extract<Request, { op: 'query' }>): Promise<QueryResult> {
  const target = request.tx === null ? pglite : transactionOf(request.tx).tx;
  const result = await target.query(request.sql, request.params, { rowMode: request.rowMode });
  statistics.noteStatement(result.command, result.affectedRows);
  return { rows: result.rows, affectedRows: result.affectedRows, fields: result.fields };
}

function transactionOf(id: number): OpenTransaction {
  const open = transactions.get(id);
  if (!open) throw new Error(`embedded database: transaction ${id} is not open`);
  return open;
}

async function begin(id: number): Promise<void> {
  const began = Promise.withResolvers<Transaction>();
  const end = Promise.withResolvers<boolean>();
  const settled = pglite.transaction(async (tx) => {
    began.resolve(tx);
    if (!(await end.promise)) await tx.rollback();
  });
  // A transaction that ends before its callback ran (BEGIN failed) answers the begin with why.
  settled.then(
    () => began.reject(new Error('embedded database: the transaction ended before it began')),
    (error: unknown) => began.reject(error),
  );
  transactions.set(id, { tx: await began.promise, end, settled });
}

async function finish(id: number, commit: boolean): Promise<void> {
  const open = transactionOf(id);
  transactions.delete(id);
  open.end.resolve(commit);
  await open.settled;
}

async function close(): Promise<void> {
  // Whatever the main thread left open goes back, as a dropped connection's would.
  await Promise.allSettled([...transactions.keys()].map((id) => finish(id, false)));
  await statistics.settled();
  await pglite.close();
}

async function handle(request: Request): Promise<QueryResult | undefined> {
  switch (request.op) {
    case 'query':
      return query(request);
    case 'begin':
      return begin(request.tx).then(() => undefined);
    case 'end':
      return finish(request.tx, request.commit).then(() => undefined);
    case 'close':
      return close().then(() => undefined);
  }
}

port.on('message', (request: Request) => {
  handle(request).then(
    (value) => {
      try {
        reply({ id: request.id, ok: true, value });
      } catch (error) {
        // A value structured clone cannot carry: the caller hears why rather than waiting forever.
        reply({ id: request.id, ok: false, error: serialiseError(error) });
      }
    },
    (error: unknown) => reply({ id: request.id, ok: false, error: serialiseError(error) }),
  );
});

// Before the first request: statistics for a store written before they were kept.
await statistics.refresh().catch(failStart);
reply({ id: 0, ok: true });
