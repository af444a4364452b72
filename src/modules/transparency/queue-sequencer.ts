import { randomUUID } from 'node:crypto';
import type { Db } from '../../infra/db/database.ts';
import type { QueueEvent, QueueRecovery, QueueStore } from '../waiting-room/index.ts';
import { lostEntries, type LossSources } from './lost-entries.ts';
import type { CampaignQueueLog, NewEntry, QueueLogs } from './queue-log.ts';
import { readLogCursor, type LogCursor } from './queue-log.repository.ts';
import type { QueueOpenings } from './queue-openings.ts';
import { drawEntry, seedEntry } from './round-entries.ts';

/** How long a node holds a campaign's sequencer lease unrenewed (it renews it every refresh, 250 ms). */
const SEQUENCER_LEASE_MS = 5000;

/** Events stored per step at most (one statement each). */
const STEP_EVENTS = 5000;

/**
 * Writes each campaign's queue log from what the queue store recorded (queue-events.ts): one node
 * at a time per campaign, the holder of a lease in the store (Redis; on the embedded default the
 * process). Each step reads the oldest events, turns them into the log's entries — a person key
 * into a commitment, a round's first entry preceded by its seed's hash, an opening into the
 * round's draw with the seed revealed — stores them with the events' cursor in one statement,
 * then drops the events from the store. A step that dies in between is harmless: the cursor says
 * which events are stored already, and a takeover reads the stored log before it appends.
 *
 * A store that lost its state (Redis without its data, a process killed) loses the events it had
 * not handed over yet, and its events start a new epoch. The places it gave out are not lost: they
 * are in the journal, or come back with their holders' signed tickets, and the log still names
 * every holder: on the first step of a new epoch, what the journal holds and the log does not
 * (`lostEntries`: a round's entries and draw, `restore` entries, `serve` and `admit`); and a place
 * reinstated from a ticket (a `restore` event) unless the log holds it already.
 */
export class QueueSequencer {
  /** Per campaign this node holds the lease of: where its log stands (read when the lease was taken). */
  readonly #held = new Map<string, { cursor: LogCursor | null; seeded: Set<number>; lossCheckedEpoch: string | null }>();

  constructor(
    private readonly store: QueueStore,
    private readonly logs: QueueLogs,
    private readonly openings: QueueOpenings,
    private readonly db: Db,
    /** Where the places handed out are journalled (to find those a lost store took out of the log). */
    private readonly journal: Pick<QueueRecovery, 'placesAfter' | 'admittedPersons' | 'abandonedPositions' | 'roundsFrom'>,
    /** The server clock (Unix ms): the time of a place recorded again. */
    private readonly nowMs: () => number,
    /** This node's name in the lease (a process of its own each time). */
    private readonly holder: string = randomUUID(),
  ) {
    this.sources = { store, openings, db, journal };
  }

  /** What entries are written from. */
  private readonly sources: LossSources;

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
      state = { cursor: await readLogCursor(this.db, campaignId), seeded: new Set(), lossCheckedEpoch: null };
      this.#held.set(campaignId, state);
    }
    const { epoch, events } = await this.store.recordedEvents(campaignId, STEP_EVENTS);
    const cursor = state.cursor;
    let appended = 0;
    // A new epoch whose events the log has none of yet: first what the store lost before it was logged.
    if (state.lossCheckedEpoch !== epoch && cursor?.epoch !== epoch) {
      const lost = await lostEntries(this.sources, log, state.seeded, Math.min(events[0]?.event.atMs ?? Infinity, this.nowMs()));
      if (lost.length > 0) await log.append(lost);
      appended += lost.length;
      state.lossCheckedEpoch = epoch;
    }
    const fresh = events.filter((e) => !(cursor && cursor.epoch === epoch && e.seq <= cursor.seq));
    const last = events.at(-1);
    if (!last) return appended;
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
      appended += entries.length;
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
    /** Positions restored in this batch (a second `restore` of one place adds nothing). */
    const restored = new Set<number>();
    // Every holder's commitment in one batch, off the main thread, in the order of the events that name one.
    const commitments = await this.openings.commitments(campaignId, events.flatMap((e) => ('personKey' in e ? [e.personKey] : [])));
    let named = 0;
    const ensureSeed = async (round: number, atMs: number) => {
      const seed = await seedEntry(this.sources, log, seeded, round, atMs);
      if (seed) entries.push(seed);
    };
    for (const event of events) {
      const commitment = 'personKey' in event ? commitments[named++]! : null;
      switch (event.kind) {
        case 'place':
          // Found by its position (`LoggedPlaces`): no subject.
          entries.push({ entry: { kind: 'place', position: event.position, atMs: event.atMs, commitment: commitment! }, subject: null });
          break;
        case 'restore':
          // Reinstated from a ticket: logged unless the log holds the place already (its entry outlived the store's loss).
          if (restored.has(event.position) || log.places.leafOf(event.position) !== null) break;
          restored.add(event.position);
          entries.push({ entry: { kind: 'restore', position: event.position, atMs: event.atMs, commitment: commitment! }, subject: null });
          break;
        case 'enter': {
          await ensureSeed(event.round, event.atMs);
          entries.push({ entry: { kind: 'enter', round: event.round, atMs: event.atMs, commitment: commitment! }, subject: commitment!.toString('base64') });
          break;
        }
        case 'open': {
          await ensureSeed(event.round, event.atMs);
          entries.push(await drawEntry(this.sources, log, event.round, event.base, event.atMs, event.size));
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
