import type { JournallingStore, QueueJournal } from './queue-journal.ts';

/**
 * Writes a journalling store's changes to the database one write at a time, with group commit:
 * whoever needs what the store handed out to be durable (a join about to answer 201, an
 * admission about to be issued) calls `flush()`; a write starts at once if none is running, and
 * everyone who asks while one runs shares the next one. So a 201 is sent only once its place is
 * committed, and a crowd of joins costs one write per round trip of the database, not one each.
 * The refresh's periodic write goes through here too, so writes never overlap: a checkpoint
 * written late can never replace a later one.
 */
export class JournalWriter {
  private writing: Promise<void> | null = null;
  private next: Promise<void> | null = null;
  private lastFailed = false;

  constructor(
    private readonly store: JournallingStore,
    private readonly persist: (journal: QueueJournal, now: Date) => Promise<void>,
    private readonly now: () => Date,
  ) {}

  /** Resolves once everything the store journalled before the call is committed; rejects if that write failed. */
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
  settled(): Promise<void> {
    return this.writing || this.next || this.lastFailed || this.store.journalPending() ? this.flush() : Promise.resolve();
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
    try {
      await this.persist(journal, this.now());
      this.lastFailed = false;
    } catch (error) {
      this.store.requeue(journal);
      this.lastFailed = true;
      throw error;
    }
  }
}

function noop(): void {}
