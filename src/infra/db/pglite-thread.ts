import { Worker } from 'node:worker_threads';
import type { PGlite, PGliteQueryOptions, PGliteQueryResults, PGliteTransaction } from 'kysely';
import { rebuildError, type QueryResult, type Reply, type Request, type WorkerOptions } from './pglite-protocol.ts';

type Pending = { resolve: (value: QueryResult | undefined) => void; reject: (error: Error) => void };
/** A request before it is numbered (`Omit` taken member by member). */
type RequestBody<R = Request> = R extends Request ? Omit<R, 'id'> : never;

/**
 * The embedded database as Kysely's `PGliteDialect` sees it, with PGlite itself in a worker thread
 * (`pglite-worker.ts`), so no statement runs on the event loop: each is one message to the
 * worker and its answer one message back. Transactions run in the worker under PGlite's own lock
 * (the worker says why).
 */
export class PgliteThread implements PGlite {
  readonly ready = true;
  readonly waitReady = Promise.resolve();
  readonly #worker: Worker;
  readonly #pending = new Map<number, Pending>();
  #nextId = 1;
  #nextTransaction = 1;
  /** Set once the worker is gone: every call after that fails with it. */
  #gone: Error | null = null;
  #closing: Promise<void> | null = null;

  private constructor(worker: Worker) {
    this.#worker = worker;
    // Like PGlite in process, an idle database does not keep the process alive; a call does.
    worker.unref();
    worker.on('message', (reply: Reply) => this.#settle(reply));
    worker.on('error', (error) => this.#fail(new Error(`embedded database: the worker thread failed: ${error.message}`, { cause: error })));
    worker.on('messageerror', (error) => this.#fail(new Error('embedded database: a reply could not be read', { cause: error })));
    worker.on('exit', (code) => this.#fail(new Error(`embedded database: the worker thread exited (code ${code})`)));
  }

  /** Starts the worker and resolves once PGlite has opened `dataDir` (null: in memory). */
  static async open(dataDir: string | null): Promise<PgliteThread> {
    const worker = new Worker(new URL('./pglite-worker.ts', import.meta.url), {
      workerData: { dataDir } satisfies WorkerOptions,
      // The OS thread's name too: the benches count its CPU apart (bench/lib/cpu.ts).
      name: 'pglite',
      // Node strips the worker's types itself: no tsx loader, under `tsx`, `node --import tsx` or vitest alike.
      execArgv: [],
    });
    return PgliteThread.over(worker);
  }

  /** Talks to a started worker that speaks `pglite-protocol.ts`; resolves once it says it is open. */
  static async over(worker: Worker): Promise<PgliteThread> {
    const thread = new PgliteThread(worker);
    try {
      await thread.#await(0);
    } catch (error) {
      await worker.terminate();
      throw error;
    }
    return thread;
  }

  get closed(): boolean {
    return this.#gone !== null;
  }

  async query<T>(sql: string, params: unknown[] = [], options?: PGliteQueryOptions): Promise<PGliteQueryResults<T>> {
    return (await this.#call({ op: 'query', sql, params, rowMode: options?.rowMode ?? 'object', tx: null })) as PGliteQueryResults<T>;
  }

  /** PGlite's `transaction()`: commits when `callback` resolves, rolls back when it throws. */
  async transaction<T>(callback: (tx: PGliteTransaction) => Promise<T>): Promise<T> {
    const id = this.#nextTransaction++;
    await this.#call({ op: 'begin', tx: id });
    let open = true;
    const end = async (commit: boolean) => {
      open = false;
      await this.#call({ op: 'end', tx: id, commit });
    };
    const tx: PGliteTransaction = {
      query: async <R>(sql: string, params: unknown[] = [], options?: PGliteQueryOptions) => {
        if (!open) throw new Error('Transaction is closed');
        return (await this.#call({ op: 'query', sql, params, rowMode: options?.rowMode ?? 'object', tx: id })) as PGliteQueryResults<R>;
      },
      rollback: async () => {
        if (!open) throw new Error('Transaction is closed');
        await end(false);
      },
    };
    let result: T;
    try {
      result = await callback(tx);
    } catch (error) {
      if (open) await end(false);
      throw error;
    }
    if (open) await end(true);
    return result;
  }

  /** Closes PGlite (rolling back what is still open) and stops the worker. */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      if (this.#gone) return;
      await this.#call({ op: 'close' });
      this.#fail(new Error('embedded database: closed'));
      await this.#worker.terminate();
    })();
    return this.#closing;
  }

  #call(body: RequestBody): Promise<QueryResult | undefined> {
    if (this.#gone) return Promise.reject(this.#gone);
    const id = this.#nextId++;
    const answer = this.#await(id);
    try {
      this.#worker.postMessage({ ...body, id } as Request);
    } catch (error) {
      // A parameter structured clone cannot carry (a function, a symbol).
      this.#pending.delete(id);
      this.#release();
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
    return answer;
  }

  #await(id: number): Promise<QueryResult | undefined> {
    if (this.#pending.size === 0) this.#worker.ref();
    return new Promise((resolve, reject) => this.#pending.set(id, { resolve, reject }));
  }

  #settle(reply: Reply): void {
    const pending = this.#pending.get(reply.id);
    if (!pending) return;
    this.#pending.delete(reply.id);
    this.#release();
    if (reply.ok) pending.resolve(reply.value);
    else pending.reject(rebuildError(reply.error));
  }

  /** Once nothing waits on the worker, it no longer holds the process open. */
  #release(): void {
    if (this.#pending.size === 0) this.#worker.unref();
  }

  /** The worker is gone (or closed): every call waiting and every later one fails, none hangs. */
  #fail(error: Error): void {
    this.#gone ??= error;
    for (const pending of this.#pending.values()) pending.reject(this.#gone);
    this.#pending.clear();
    this.#worker.unref();
  }
}
