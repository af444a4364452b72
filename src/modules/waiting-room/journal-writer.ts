import { campaignsOf, journalOf, type JournallingStore, type QueueJournal } from './queue-journal.ts';

/** A journal write that failed for these campaigns (the others' changes, if any, were written). */
export class JournalWriteFailed extends Error {
  constructor(
    readonly campaignIds: readonly string[],
    options: { cause: unknown },
  ) {
    super(`the queue journal could not be written for ${campaignIds.length} campaign(s): ${options.cause instanceof Error ? options.cause.message : String(options.cause)}`, options);
  }
}

/**
 * Writes a journalling store's changes to the database one write at a time, with group commit:
 * whoever needs what the store handed out to be durable (a join about to answer 201, an
 * admission about to be issued) calls `flush()`; a write starts at once if none is running, and
 * everyone who asks while one runs shares the next one. So a 201 is sent only once its place is
 * committed, and a crowd of joins costs one write per round trip of the database, not one each.
 * The refresh's periodic write goes through here too, so writes never overlap: a checkpoint
 * written late can never replace a later one.
 *
 * A write that fails is retried with the next one, and told to `onFailure` (logged, counted:
 * never a silent stop). When it held several campaigns they are written again one by one, so one
 * campaign's row the database refuses cannot hold up the others: their changes are written, their
 * waiters answered, and only the failing campaign's stay queued (`settled(campaignId)`).
 */
export class JournalWriter {
  private writing: Promise<void> | null = null;
  private next: Promise<void> | null = null;
  /** The campaigns whose changes the last write could not commit. */
  private failing: ReadonlySet<string> = new Set();

  constructor(
    private readonly store: JournallingStore,
    private readonly persist: (journal: QueueJournal, now: Date) => Promise<void>,
    private readonly now: () => Date,
    private readonly onFailure: (campaignId: string, error: unknown) => void = () => {},
  ) {}

  /** Resolves once everything the store journalled before the call is committed; rejects (JournalWriteFailed) if that write failed for any campaign. */
  flush(): Promise<void> {
    if (this.next) return this.next;
    if (!this.writing) return this.start();
    // The running write may have drained before this caller's change: it needs the next one.
    const after = this.writing.then(noop, noop).then(() => {
      this.next = null;
      return this.start();
    });
    this.next = after;
    return after;
  }

  /**
   * Resolves at once when nothing the store handed out is waiting to be written (the usual case
   * for a place handed back), else as `flush()`: a place is answered only once it is durable.
   */
  settled(campaignId?: string): Promise<void> {
    if (!(this.writing || this.next || this.failing.size > 0 || this.store.journalPending())) return Promise.resolve();
    const flushed = this.flush();
    if (campaignId === undefined) return flushed;
    // Another campaign's failure is not this one's: its changes were written.
    return flushed.catch((error: unknown) => {
      if (!(error instanceof JournalWriteFailed) || error.campaignIds.includes(campaignId)) throw error;
    });
  }

  private start(): Promise<void> {
    const write = this.writeOnce().finally(() => {
      if (this.writing === write) this.writing = null;
    });
    this.writing = write;
    return write;
  }

  private async writeOnce(): Promise<void> {
    const journal = this.store.drainJournal();
    const now = this.now();
    try {
      await this.persist(journal, now);
      this.failing = new Set();
      return;
    } catch (error) {
      const campaignIds = campaignsOf(journal);
      if (campaignIds.length <= 1) return this.failed(journal, new Map(campaignIds.map((id) => [id, error])));
    }
    // Several campaigns: each on its own, so one that the database refuses holds up no other.
    const failures = new Map<string, unknown>();
    for (const campaignId of campaignsOf(journal)) {
      const part = journalOf(journal, campaignId);
      try {
        await this.persist(part, now);
      } catch (error) {
        failures.set(campaignId, error);
        this.store.requeue(part);
      }
    }
    if (failures.size === 0) {
      this.failing = new Set();
      return;
    }
    this.failed(null, failures);
  }

  /** Queues what failed again (`journal`, when not already done part by part), reports each campaign, and throws. */
  private failed(journal: QueueJournal | null, failures: Map<string, unknown>): never {
    if (journal) this.store.requeue(journal);
    this.failing = new Set(failures.keys());
    for (const [campaignId, error] of failures) this.onFailure(campaignId, error);
    throw new JournalWriteFailed([...failures.keys()], { cause: failures.values().next().value });
  }
}

function noop(): void {}
