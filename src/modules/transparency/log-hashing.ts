import type { KeyObject } from 'node:crypto';
import { emitWarning } from 'node:process';
import { Worker } from 'node:worker_threads';
import { type HashingReply, type HashingRequest, packedCommitments, packedLeafHashes, packedTreeHashes, unpackHashes } from './log-hashes.ts';

/** A batch this small is hashed on the calling thread: a round trip costs the main thread about as much as a few hashes. */
const SMALL_BATCH = 8;

/** A request before it is numbered (`Omit` taken member by member). */
type RequestBody<R = HashingRequest> = R extends HashingRequest ? Omit<R, 'id'> : never;

/**
 * The queue log's hashes made off the main thread: a batch of holders' commitments (an HMAC and a
 * SHA-256 each), or of stored lines' leaf hashes and the interior hashes they complete (about two
 * SHA-256 each), per message to one worker thread (`log-hashing-worker.ts`): about 11 µs an entry
 * the event loop no longer spends while it answers joins. The worker starts on first use and does not keep the process alive. Its answers are the
 * same bytes as the main thread's: if the worker cannot start or fails, the batch is hashed here
 * instead (once warned, and counted: `fallbackBatches`, exported as
 * `yeyak_queue_log_hashing_fallback_batches_total`), and the next batch starts a new worker.
 */
export class LogHashing {
  #worker: Worker | null = null;
  readonly #pending = new Map<number, PromiseWithResolvers<Uint8Array>>();
  #nextId = 1;
  #warned = false;
  #fallbackBatches = 0;

  constructor(private readonly workerUrl: URL = new URL('./log-hashing-worker.ts', import.meta.url)) {}

  /** The commitments of the holders of `personKeys` in a campaign, in order (`QueueOpenings.commitment` of each). */
  commitments(openingKey: KeyObject, campaignId: string, personKeys: readonly string[]): Promise<Buffer[]> {
    const here = () => packedCommitments(openingKey, campaignId, personKeys);
    return personKeys.length < SMALL_BATCH ? Promise.resolve(unpackHashes(here())) : this.#ask({ op: 'commitments', openingKey, campaignId, personKeys }, here);
  }

  /** The leaf hashes of stored lines, in order (`leafHashOfLine` of each). */
  leafHashes(lines: readonly string[]): Promise<Buffer[]> {
    const here = () => packedLeafHashes(lines);
    return lines.length < SMALL_BATCH ? Promise.resolve(unpackHashes(here())) : this.#ask({ op: 'leaves', lines }, here);
  }

  /**
   * The hashes appending `lines` adds to a tree of `size` leaves with right edge `edge`: each
   * line's leaf hash, then the interior hashes it completes (`packedTreeHashes`), in order.
   */
  treeHashes(lines: readonly string[], size: number, edge: readonly (Uint8Array | null)[]): Promise<Buffer[]> {
    const here = () => packedTreeHashes(lines, size, edge);
    return lines.length < SMALL_BATCH ? Promise.resolve(unpackHashes(here())) : this.#ask({ op: 'tree', lines, size, edge }, here);
  }

  /** Batches hashed on the calling thread because the worker failed (since the process started). */
  get fallbackBatches(): number {
    return this.#fallbackBatches;
  }

  /** Stops the worker (a later batch starts another). */
  async close(): Promise<void> {
    const worker = this.#worker;
    this.#worker = null;
    await worker?.terminate();
  }

  async #ask(body: RequestBody, here: () => Buffer): Promise<Buffer[]> {
    try {
      return unpackHashes(await this.#call(body));
    } catch (error) {
      this.#fallbackBatches++;
      if (!this.#warned) {
        this.#warned = true;
        emitWarning(`the queue log's hashing thread failed (${(error as Error).message}): its batches are hashed on the main thread until it starts again`);
      }
      return unpackHashes(here());
    }
  }

  #call(body: RequestBody): Promise<Uint8Array> {
    const id = this.#nextId++;
    const pending = Promise.withResolvers<Uint8Array>();
    const worker = this.#started();
    this.#pending.set(id, pending);
    if (this.#pending.size === 1) worker.ref();
    worker.postMessage({ ...body, id } as HashingRequest);
    return pending.promise;
  }

  #started(): Worker {
    if (this.#worker) return this.#worker;
    // Node strips the worker's types itself: no tsx loader, under `tsx`, `node --import tsx` or vitest alike.
    // Named for the OS thread too: the benches count its CPU apart (bench/lib/cpu.ts).
    const worker = new Worker(this.workerUrl, { execArgv: [], name: 'log-hashing' });
    worker.unref();
    worker.on('message', (reply: HashingReply) => this.#settle(reply));
    const fail = (error: Error) => {
      if (this.#worker === worker) this.#worker = null;
      for (const pending of this.#pending.values()) pending.reject(error);
      this.#pending.clear();
    };
    worker.on('error', (error) => fail(error));
    worker.on('messageerror', (error) => fail(error));
    worker.on('exit', (code) => fail(new Error(`the worker exited (code ${code})`)));
    this.#worker = worker;
    return worker;
  }

  #settle(reply: HashingReply): void {
    const pending = this.#pending.get(reply.id);
    if (!pending) return;
    this.#pending.delete(reply.id);
    // An idle worker does not keep the process alive; one with a batch under way does.
    if (this.#pending.size === 0) this.#worker?.unref();
    if (reply.ok) pending.resolve(reply.packed);
    else pending.reject(new Error(reply.message));
  }
}

/** The process's hashing thread, shared by every campaign's log. */
export const logHashing = new LogHashing();
