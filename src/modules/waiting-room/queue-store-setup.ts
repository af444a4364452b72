import type { Db } from '../../infra/db/database.ts';
import type { Clock } from '../../lib/clock.ts';
import { JournalWriter } from './journal-writer.ts';
import { MemoryQueueStore } from './memory-queue-store.ts';
import type { QueueLogging } from './queue-events.ts';
import { isJournalling, type QueueRecovery } from './queue-journal.ts';
import { persistJournal, queueRecoveryFrom, restoreJournal } from './queue-journal.repository.ts';
import type { QueueStore } from './queue-store.ts';
import type { RedisConnection } from './redis/lua-scripts.ts';
import { RedisQueueStore } from './redis/redis-queue-store.ts';
import type { WaitingRoom } from './waiting-room.ts';

/** A node's queue store, and where its journal is read back from after a loss. */
export interface OpenedQueueStore {
  store: QueueStore;
  /** The journal in the database, read by the transparency log's sequencer to find what a lost store never logged. */
  recovery: QueueRecovery;
}

/**
 * The queue's store for this node: Redis, shared by every node, when there is one; otherwise the
 * in-process store of the embedded default, loaded back from its journal in the database (a
 * restarted node resumes with every place it handed out). With `logging` the store records each
 * change for the transparency log.
 */
export async function openQueueStore(db: Db, redis: RedisConnection | null, logging: QueueLogging | null, nowMs: number): Promise<OpenedQueueStore> {
  const recovery = queueRecoveryFrom(db);
  if (redis) return { store: new RedisQueueStore(redis, 'yeyak:', recovery, logging), recovery };
  const store = new MemoryQueueStore(logging);
  await restoreJournal(db, store, nowMs);
  return { store, recovery };
}

/** What the journal tells the rest of the node. */
export interface JournalHooks {
  /** A campaign's write was refused (it is retried with the next refresh). */
  failed(campaignId: string, error: unknown): void;
  /** After each refresh's write, whether or not it succeeded: the transparency log's step. */
  afterWrite?(campaignIds: readonly string[]): Promise<void>;
}

/**
 * Every refresh writes what the room's store handed out to the database (retried on failure, one
 * campaign's refused row holding up no other). The in-process store is not durable itself: its
 * joins and admissions wait for that write (group commit) before they answer, so a 201 survives a
 * kill -9. Redis, durable by its AOF, writes its journal for the day it loses its data: before a
 * restore every node flushes what it handed out since its last write.
 */
export function journalToDatabase(room: WaitingRoom, db: Db, clock: Clock, hooks: JournalHooks): WaitingRoom {
  const store = room.store;
  if (!isJournalling(store)) return room;
  const writer = new JournalWriter(store, (journal, now) => persistJournal(db, journal, now), () => clock.now(), hooks.failed);
  room.afterRefresh = async (_now, campaignIds) => {
    try {
      await writer.flush();
    } finally {
      await hooks.afterWrite?.(campaignIds);
    }
  };
  if (store instanceof RedisQueueStore) store.flushBeforeRestore = () => writer.flush();
  if (store instanceof MemoryQueueStore) room.journal = writer;
  return room;
}
