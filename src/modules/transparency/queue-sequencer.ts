import { randomUUID } from 'node:crypto';
import type { Db } from '../../infra/db/database.ts';
import type { QueueEvent, QueueStore } from '../waiting-room/index.ts';
import { orderHashOf, seedHashOf } from './domain/prequeue-order.ts';
import type { CampaignQueueLog, NewEntry, QueueLogs } from './queue-log.ts';
import { findLogEntry, readLogCursor, type LogCursor } from './queue-log.repository.ts';
import type { QueueOpenings } from './queue-openings.ts';

/** How long a node holds a campaign's sequencer lease unrenewed (it renews it every refresh, 250 ms). */
const SEQUENCER_LEASE_MS = 5000;

/** Events stored per step at most (one statement each). */
const STEP_EVENTS = 5000;

/** What a round's seed and draw entries are about, for look-ups (a holder's entries are about their commitment). */
const seedSubject = (round: number) => `seed ${round}`;
export const drawSubject = (round: number) => `draw ${round}`;

/**
 * Writes each campaign's queue log from what the queue store recorded (queue-events.ts): one node
 * at a time per campaign, the holder of a lease in the store (Redis; on the embedded default the
 * process). Each step reads the oldest events, turns them into the log's entries — a person key
 * into a commitment, a round's first entry preceded by its seed's hash, an opening into the
 * round's draw with the seed revealed — stores them with the events' cursor in one statement,
 * then drops the events from the store. A step that dies in between is harmless: the cursor says
 * which events are stored already, and a takeover reads the stored log before it appends.
 */
export class QueueSequencer {
  /** Per campaign this node holds the lease of: where its log stands (read when the lease was taken). */
  readonly #held = new Map<string, { cursor: LogCursor | null; seeded: Set<number> }>();

  constructor(
    private readonly store: QueueStore,
    private readonly logs: QueueLogs,
    private readonly openings: QueueOpenings,
    private readonly db: Db,
    /** This node's name in the lease (a process of its own each time). */
    private readonly holder: string = randomUUID(),
  ) {}

  /** True while this node holds the campaign's lease (as of its last step). */
  holds(campaignId: string): boolean {
    return this.#held.has(campaignId);
  }

  /** Stores the campaign's recorded events in its log if this node holds its lease; returns how many entries it appended. */
  async step(campaignId: string): Promise<number> {
    const pending = this.logs.forCampaign(campaignId);
    if (!pending) return 0;
    if (!(await this.store.holdSequencer(campaignId, this.holder, SEQUENCER_LEASE_MS))) {
      this.#held.delete(campaignId);
      return 0;
    }
    const log = await pending;
    let state = this.#held.get(campaignId);
    if (!state) {
      // Taking over: what another node (or this one before a restart) stored comes first.
      await log.load();
      state = { cursor: await readLogCursor(this.db, campaignId), seeded: new Set() };
      this.#held.set(campaignId, state);
    }
    const { epoch, events } = await this.store.recordedEvents(campaignId, STEP_EVENTS);
    const cursor = state.cursor;
    const fresh = events.filter((e) => !(cursor && cursor.epoch === epoch && e.seq <= cursor.seq));
    const last = events.at(-1);
    if (!last) return 0;
    let appended = 0;
    if (fresh.length > 0) {
      const entries = await this.entriesOf(campaignId, log, state.seeded, fresh.map((e) => e.event));
      const next = { epoch, seq: last.seq };
      try {
        await log.append(entries, next);
      } catch (error) {
        // Another writer got there first (a lease that ran out mid-step): read the log again next time.
        this.#held.delete(campaignId);
        throw error;
      }
      state.cursor = next;
      appended = entries.length;
    }
    await this.store.dropEvents(campaignId, epoch, last.seq);
    return appended;
  }

  /** Stores every campaign's events; a failing campaign does not stop the others (it is retried next time). */
  async stepAll(campaignIds: readonly string[], onError: (campaignId: string, error: unknown) => void, onAppended?: (campaignId: string, count: number) => void): Promise<void> {
    for (const campaignId of campaignIds) {
      try {
        const appended = await this.step(campaignId);
        if (appended > 0) onAppended?.(campaignId, appended);
      } catch (error) {
        onError(campaignId, error);
      }
    }
  }

  private async entriesOf(campaignId: string, log: CampaignQueueLog, seeded: Set<number>, events: readonly QueueEvent[]): Promise<NewEntry[]> {
    const entries: NewEntry[] = [];
    const commit = (personKey: string) => this.openings.commitment(campaignId, personKey);
    const ensureSeed = async (round: number, atMs: number) => {
      if (seeded.has(round)) return;
      if (!(await findLogEntry(this.db, log.campaignId, seedSubject(round)))) {
        entries.push({ entry: { kind: 'seed', round, atMs, seedHash: seedHashOf(this.openings.seed(campaignId, round)) }, subject: seedSubject(round) });
      }
      seeded.add(round);
    };
    for (const event of events) {
      switch (event.kind) {
        case 'place': {
          const commitment = commit(event.personKey);
          entries.push({ entry: { kind: 'place', position: event.position, atMs: event.atMs, commitment }, subject: commitment.toString('base64') });
          break;
        }
        case 'enter': {
          await ensureSeed(event.round, event.atMs);
          const commitment = commit(event.personKey);
          entries.push({ entry: { kind: 'enter', round: event.round, atMs: event.atMs, commitment }, subject: commitment.toString('base64') });
          break;
        }
        case 'open': {
          await ensureSeed(event.round, event.atMs);
          const members = await this.store.roundMembers(campaignId, event.round);
          if (members.length !== event.size) throw new Error(`round ${event.round} of ${campaignId} opened with ${event.size} members, the store holds ${members.length}`);
          const orderHash = orderHashOf(members.map(commit));
          const seed = this.openings.seed(campaignId, event.round);
          entries.push({ entry: { kind: 'draw', round: event.round, atMs: event.atMs, base: event.base, count: event.size, seed, orderHash }, subject: drawSubject(event.round) });
          break;
        }
        case 'serve':
          entries.push({ entry: { kind: 'serve', servingUpTo: event.servingUpTo, atMs: event.atMs }, subject: null });
          break;
        case 'admit':
          entries.push({ entry: { kind: 'admit', position: event.position, atMs: event.atMs }, subject: null });
          break;
        case 'skip':
          entries.push({ entry: { kind: 'skip', position: event.position, atMs: event.atMs, reason: event.reason }, subject: null });
          break;
        default:
          entries.push({ entry: { kind: event.kind, atMs: event.atMs }, subject: null });
      }
    }
    return entries;
  }
}
