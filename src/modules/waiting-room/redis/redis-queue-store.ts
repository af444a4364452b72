import { randomUUID } from 'node:crypto';
import { ROUND_SPAN, checkRound, secretDraw } from '../prequeue-draw.ts';
import { parseRecordedEvent, type QueueLogging, type RecordedEvents } from '../queue-events.ts';
import { emptyJournal, holdsHandouts, putBack, type CampaignJournal, type JournallingStore, type QueueCheckpoint, type QueueJournal, type QueueRecovery } from '../queue-journal.ts';
import type { AdmissionRecord, JoinResult, LeaveResult, QueueSnapshot, QueueStore, TickPolicy } from '../queue-store.ts';
import { QueueStoreUnavailableError } from '../queue-store-errors.ts';
import { SCRIPTS, runScript, type LuaScript, type RedisConnection } from './lua-scripts.ts';
import { campaignKeys, checkKeyPrefix, type CampaignKeys } from './queue-keys.ts';
import { queueStoreError } from './redis-errors.ts';
import { checkpointFromSnapshot, initializeCampaign } from './redis-restore.ts';

const NO_JOURNAL: QueueRecovery = {
  load: async (): Promise<CampaignJournal> => ({ state: null, places: [], admissions: [], abandoned: [] }),
  placesAfter: async () => [],
  admittedPersons: async () => [],
  abandonedPositions: async () => [],
  roundsFrom: async () => ({ members: [], bases: [] }),
};

function isUninitialized(error: unknown): boolean {
  // Redis may prefix a script's error with ERR.
  return error instanceof Error && /\bYEYAK_UNINITIALIZED\b/.test(error.message);
}

/** Expired admissions forgotten per tick or admit at most (keeps each script call short). */
const TRIM_LIMIT = 100;

type SnapshotReply = [number, number, number, number, number, string | null, number, number, number, string, string, string, number, number, ...unknown[]];

function decodeSnapshot(reply: unknown): QueueSnapshot {
  const [issuedUpTo, servingUpTo, prequeueSize, opened, paused, pausedReason, closed, admitted, activeAdmissions, rateMean, rateVar, targetRate, openedRounds, abandoned] =
    reply as SnapshotReply;
  return {
    issuedUpTo,
    servingUpTo,
    prequeueSize,
    opened: opened === 1,
    openedRounds,
    paused: paused === 1,
    pausedReason,
    closed: closed === 1,
    admitted,
    activeAdmissions,
    admitRatePerSecond: Number(rateMean),
    admitRateDeviation: Math.sqrt(Number(rateVar)),
    targetRatePerSecond: Number(targetRate),
    abandoned,
  };
}

/**
 * The waiting room's shared state in Redis, for many nodes: every change is one atomic Lua
 * script (scripts/), every key comes from queue-keys.ts, and a Redis that cannot be reached
 * surfaces as `QueueStoreUnavailableError` at once (the client is fail-fast, infra/redis.ts).
 * The store owns the client it is given: `close()` quits it.
 *
 * Each node journals what it handed out (`drainJournal`, persisted by the caller to the database
 * every refresh). If Redis comes back without its data, the first script to touch a campaign
 * finds no `initializedAtMs` and refuses; the store then restores the campaign from `recovery`
 * (`redis-restore.ts`) and runs the script again.
 *
 * @example
 * const store = new RedisQueueStore(await connectRedis(config.redisUrl), 'yeyak:');
 */
export class RedisQueueStore implements QueueStore, JournallingStore {
  private readonly prefix: string;
  private journal: QueueJournal = emptyJournal();
  private readonly checkpoints = new Map<string, QueueCheckpoint>();
  private readonly initializing = new Map<string, Promise<void>>();

  /**
   * Writes this node's journal to the database (set by whoever persists it). Run when a script
   * finds a campaign uninitialized, before waiting for the restore: the restorer waits a moment
   * (`RESTORE_SETTLE_MS`) for every node to do so, so the places handed out in the last refresh
   * before Redis lost its data come back with the rest.
   */
  flushBeforeRestore: (() => Promise<void>) | null = null;

  constructor(
    private readonly client: RedisConnection,
    prefix: string,
    private readonly recovery: QueueRecovery = NO_JOURNAL,
    /** With `logging`, changes are recorded for the transparency log and pre-queue draws come from its seeds. */
    private readonly logging: QueueLogging | null = null,
  ) {
    this.prefix = checkKeyPrefix(prefix);
    this.logFlag = logging ? '1' : '0';
  }

  /** The scripts' last argument: '1' to record each change for the transparency log. */
  private readonly logFlag: '0' | '1';

  drainJournal(): QueueJournal {
    const drained = this.journal;
    drained.checkpoints = [...this.checkpoints].map(([campaignId, state]) => ({ campaignId, state }));
    this.checkpoints.clear();
    this.journal = emptyJournal();
    return drained;
  }

  journalPending(): boolean {
    return holdsHandouts(this.journal);
  }

  requeue(failed: QueueJournal): void {
    putBack(this.journal, failed);
    for (const c of failed.checkpoints) if (!this.checkpoints.has(c.campaignId)) this.checkpoints.set(c.campaignId, c.state);
  }

  /** Sets up (or restores) a campaign once per node at a time; see `initializeCampaign`. */
  private initialize(campaignId: string): Promise<void> {
    let pending = this.initializing.get(campaignId);
    if (!pending) {
      const k = this.keys(campaignId);
      pending = initializeCampaign(this.client, k, () => this.recovery.load(campaignId), (fields) => runScript(this.client, SCRIPTS.initialize, [k.state], fields))
        .then((done) => {
          if (!done) throw new QueueStoreUnavailableError(new Error(`campaign ${campaignId} is being restored by another node`));
        })
        .finally(() => this.initializing.delete(campaignId));
      this.initializing.set(campaignId, pending);
    }
    return pending;
  }

  private keys(campaignId: string): CampaignKeys {
    return campaignKeys(this.prefix, campaignId);
  }

  private async run(campaignId: string, script: LuaScript, keys: readonly string[], args: readonly (string | number)[]): Promise<unknown> {
    try {
      return await runScript(this.client, script, keys, args);
    } catch (error) {
      if (!isUninitialized(error)) throw queueStoreError(error);
    }
    try {
      await this.flushBeforeRestore?.().catch(() => {}); // a failed write stays queued for the next
      await this.initialize(campaignId);
      return await runScript(this.client, script, keys, args);
    } catch (error) {
      throw queueStoreError(error);
    }
  }

  async join(campaignId: string, personKey: string, nowMs: number, prequeueRound: number | null, roundsDue = 1): Promise<JoinResult> {
    const k = this.keys(campaignId);
    const round = prequeueRound === null ? -1 : checkRound(prequeueRound);
    // Only a pre-queue join uses a draw (the script ignores it for a first-come one).
    const draw = prequeueRound === null ? 0 : this.logging ? this.logging.draw(campaignId, round, personKey) : secretDraw();
    const args = [personKey, round, roundsDue, draw, nowMs, this.logFlag];
    const reply = (await this.run(campaignId, SCRIPTS.join, [k.state, k.places, k.prequeue, k.log], args)) as [number | null, number];
    const created = reply[1] === 1;
    const drawn = reply[0] === null;
    if (created) this.journal.places.push({ campaignId, personKey, position: reply[0], draw: drawn ? String(draw) : null, round: drawn ? round : null });
    return { position: reply[0], created };
  }

  async lookup(campaignId: string, personKey: string): Promise<{ position: number | null } | null> {
    const k = this.keys(campaignId);
    const reply = (await this.run(campaignId, SCRIPTS.lookup, [k.state, k.places, k.prequeue], [personKey])) as [number, number | null];
    return reply[0] === 0 ? null : { position: reply[0] === 2 ? (reply[1] ?? null) : null };
  }

  async reinstate(campaignId: string, personKey: string, position: number, nowMs: number): Promise<number | null> {
    const k = this.keys(campaignId);
    const place = (await this.run(campaignId, SCRIPTS.reinstate, [k.state, k.places, k.prequeue, k.log, k.abandoned], [personKey, position, nowMs, this.logFlag])) as number | null;
    if (place === position) this.journal.places.push({ campaignId, personKey, position, draw: null, round: null });
    return place;
  }

  async leave(campaignId: string, personKey: string, position: number | null, nowMs: number): Promise<LeaveResult> {
    const k = this.keys(campaignId);
    const keys = [k.state, k.places, k.prequeue, k.active, k.abandoned, k.abandonedLog, k.log];
    const [code, place] = (await this.run(campaignId, SCRIPTS.leave, keys, [personKey, position ?? 0, nowMs, this.logFlag])) as [number, number?];
    if (code !== 1 || place === undefined) return { outcome: code === 2 ? 'served' : code === 3 ? 'prequeue' : 'not-in-line' };
    // Journalled once, by the node that gave it up (a repeat changes nothing: the row is written once).
    this.journal.left.push({ campaignId, personKey, position: place, atMs: nowMs });
    return { outcome: 'left', position: place };
  }

  async abandonedSince(campaignId: string, index: number): Promise<number[]> {
    try {
      return (await this.client.lrange(this.keys(campaignId).abandonedLog, index, -1)).map(Number);
    } catch (error) {
      throw queueStoreError(error);
    }
  }

  async positionOf(campaignId: string, personKey: string): Promise<number | null> {
    const k = this.keys(campaignId);
    return (await this.run(campaignId, SCRIPTS.positionOf, [k.state, k.places, k.prequeue], [personKey])) as number | null;
  }

  async open(campaignId: string, round: number, nowMs: number): Promise<void> {
    const k = this.keys(campaignId);
    await this.run(campaignId, SCRIPTS.open, [k.state, k.prequeue, k.log], [checkRound(round), nowMs, this.logFlag]);
  }

  async tick(campaignId: string, nowMs: number, policy: TickPolicy): Promise<QueueSnapshot> {
    const k = this.keys(campaignId);
    const args = [nowMs, policy.ratePerSecond, policy.maxActive, TRIM_LIMIT, this.logFlag];
    const reply = (await this.run(campaignId, SCRIPTS.tick, [k.state, k.prequeue, k.admissions, k.active, k.log, k.places, k.abandoned], args)) as SnapshotReply;
    const snapshot = decodeSnapshot(reply);
    this.checkpoints.set(campaignId, checkpointFromSnapshot(snapshot, (reply[14] as string[]).map(Number)));
    return snapshot;
  }

  async snapshot(campaignId: string, nowMs: number): Promise<QueueSnapshot> {
    const k = this.keys(campaignId);
    return decodeSnapshot(await this.run(campaignId, SCRIPTS.snapshot, [k.state, k.prequeue, k.active], [nowMs]));
  }

  async admit(campaignId: string, personKey: string, position: number, nowMs: number, ttlMs: number): Promise<AdmissionRecord | null> {
    const k = this.keys(campaignId);
    const args = [personKey, position, nowMs, ttlMs, randomUUID(), TRIM_LIMIT, this.logFlag];
    const reply = (await this.run(campaignId, SCRIPTS.admit, [k.state, k.admissions, k.active, k.log, k.places, k.prequeue, k.abandoned], args)) as [string, string, number] | null;
    if (reply === null) return null;
    const record = { id: reply[0], expiresAtMs: Number(reply[1]), created: reply[2] === 1, ...(reply[2] === 2 ? { afterBooking: true } : {}) };
    if (record.created) this.journal.admissions.push({ campaignId, personKey, admissionId: record.id, expiresAtMs: record.expiresAtMs });
    return record;
  }

  async extend(campaignId: string, personKey: string, nowMs: number, ttlMs: number): Promise<number | null> {
    const k = this.keys(campaignId);
    // Extensions are not journalled: a restore brings an admission back with its first expiry,
    // which only shortens how long it counts against the cap (its holder's token stays valid).
    const reply = (await this.run(campaignId, SCRIPTS.extend, [k.active], [personKey, nowMs, ttlMs])) as string | null;
    return reply === null ? null : Number(reply);
  }

  async release(campaignId: string, personKey: string, _nowMs: number): Promise<void> {
    const k = this.keys(campaignId);
    await this.run(campaignId, SCRIPTS.release, [k.admissions, k.active], [personKey]);
    this.journal.released.push({ campaignId, personKey });
  }

  async setPaused(campaignId: string, paused: boolean, reason: string | null, nowMs: number): Promise<void> {
    const k = this.keys(campaignId);
    await this.run(campaignId, SCRIPTS.setPaused, [k.state, k.log], [paused ? '1' : '0', reason === null ? '0' : '1', reason ?? '', nowMs, this.logFlag]);
  }

  async setClosed(campaignId: string, closed: boolean, nowMs: number): Promise<void> {
    const k = this.keys(campaignId);
    await this.run(campaignId, SCRIPTS.setClosed, [k.state, k.log], [closed ? '1' : '0', nowMs, this.logFlag]);
  }

  async recordedEvents(campaignId: string, max: number): Promise<RecordedEvents> {
    const k = this.keys(campaignId);
    const [epoch, lines] = (await this.run(campaignId, SCRIPTS.readLog, [k.state, k.log], [max])) as [string, string[]];
    return { epoch, events: lines.map(parseRecordedEvent) };
  }

  async dropEvents(campaignId: string, epoch: string, throughSeq: number): Promise<void> {
    const k = this.keys(campaignId);
    await this.run(campaignId, SCRIPTS.dropLog, [k.state, k.log], [epoch, throughSeq]);
  }

  async roundMembers(campaignId: string, round: number): Promise<string[]> {
    const k = this.keys(campaignId);
    try {
      // Ties in draw are ordered by member, as ZRANK orders them (rounds.lua prequeuePlace).
      return await this.client.zrangebyscore(k.prequeue, checkRound(round) * ROUND_SPAN, `(${(round + 1) * ROUND_SPAN}`);
    } catch (error) {
      throw queueStoreError(error);
    }
  }

  async holdSequencer(campaignId: string, holder: string, ttlMs: number): Promise<boolean> {
    const k = this.keys(campaignId);
    return (await this.run(campaignId, SCRIPTS.holdSequencer, [k.sequencer], [holder, ttlMs])) === 1;
  }

  async ping(): Promise<void> {
    try {
      await this.client.ping();
    } catch (error) {
      throw queueStoreError(error);
    }
  }

  async close(): Promise<void> {
    try {
      await this.client.quit();
    } catch {
      // Redis is unreachable, so there is no connection to end politely: drop it and stop reconnecting.
      this.client.disconnect();
    }
  }
}
