interface Waiting<Item, Result> {
  item: Item;
  resolve: (result: Result) => void;
  reject: (error: unknown) => void;
}

export interface BatchedCallsOptions {
  /** The most items one batch carries; more wait for the next. */
  maxBatch: number;
  /**
   * Whether a failed batch of several is run again item by item, so that one bad item (a value
   * the database refuses) fails its own call only. Answer false for failures that would fail every
   * item again (the database unreachable): those reject the whole batch at once.
   */
  retryAlone: (error: unknown) => boolean;
}

/**
 * Calls that share one round trip: each `call(item)` joins the next batch, and the batches run one
 * at a time. A batch starts as soon as none is running (no timer: a lone call waits for nothing),
 * and every call that arrives while one runs shares the next — group commit, so a crowd costs one
 * statement per round trip of the database instead of one each.
 *
 * `run` gets the batch's items and answers one result per item, in order.
 *
 * @example
 * const lookUp = new BatchedCalls((keys: string[]) => readMany(db, keys), { maxBatch: 500, retryAlone: isDataRefused });
 * const value = await lookUp.call(key);
 */
export class BatchedCalls<Item, Result> {
  private waiting: Waiting<Item, Result>[] = [];
  private running = false;

  constructor(
    private readonly run: (items: Item[]) => Promise<Result[]>,
    private readonly options: BatchedCallsOptions,
  ) {
    if (!Number.isInteger(options.maxBatch) || options.maxBatch < 1) throw new Error(`maxBatch must be a whole number ≥ 1, got ${options.maxBatch}`);
  }

  /** Resolves with this item's result once the batch it joined has run. */
  call(item: Item): Promise<Result> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ item, resolve, reject });
      if (!this.running) {
        this.running = true;
        // Calls made in this same turn of the event loop still join the first batch.
        queueMicrotask(() => void this.drain());
      }
    });
  }

  private async drain(): Promise<void> {
    while (this.waiting.length > 0) {
      const batch = this.waiting.splice(0, this.options.maxBatch);
      const error = await this.settle(batch);
      if (error === undefined) continue;
      if (batch.length > 1 && this.options.retryAlone(error.cause)) {
        for (const one of batch) {
          const alone = await this.settle([one]);
          if (alone) one.reject(alone.cause);
        }
      } else {
        for (const w of batch) w.reject(error.cause);
      }
    }
    this.running = false;
  }

  /** Runs one batch and resolves its calls; the failure, if it failed (its calls still open). */
  private async settle(batch: Waiting<Item, Result>[]): Promise<{ cause: unknown } | undefined> {
    try {
      const results = await this.run(batch.map((w) => w.item));
      if (results.length !== batch.length) throw new Error(`a batch of ${batch.length} answered ${results.length} results`);
      batch.forEach((w, i) => w.resolve(results[i]!));
      return undefined;
    } catch (cause) {
      return { cause };
    }
  }
}
