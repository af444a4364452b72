import { LRUCache } from 'lru-cache';
import type { Db } from '../../infra/db/database.ts';
import { BatchedCalls } from '../../lib/batched-calls.ts';
import type { Clock } from '../../lib/clock.ts';
import type { QueueLogs } from './queue-log.ts';
import { firstLeavesOf } from './queue-log.repository.ts';
import type { QueueOpenings } from './queue-openings.ts';

/** Pre-queue entries remembered per node (a stored leaf index never changes: the log only grows). */
const REMEMBERED = 200_000;
/** A pre-queue entry not logged yet is looked up again after this long (the sequencer stores each refresh, 250 ms). */
const RETRY_MS = 1000;
/** The most holders one look-up carries (an index probe each, a few milliseconds in all). */
const MAX_BATCH = 1000;

interface Asked {
  campaignId: string;
  subject: string;
}

/**
 * Where a holder's place stands in the campaign's public log (docs/transparency.md "Receipts"):
 * the leaf index of their first entry, once the sequencer has stored it (a place just handed out
 * is numbered a refresh later), else null. A first-come place is found by its position in what
 * this node's copy of the log says of positions (`LoggedPlaces`: no database read); a pre-queue
 * holder's `enter` entry by its commitment, at most once a second per holder and node until it is
 * found, and never again once found. The look-ups share one read for every holder asked while the
 * previous one ran (`BatchedCalls`): the pre-queue's crowd polling its tickets costs a statement
 * per round trip of the main pool, not one per holder, and does not hold the connections the
 * crowd's sign-ins wait for. Nothing here is logged or leaves the process.
 */
export class PlaceLeafIndexes {
  readonly #found = new LRUCache<string, number>({ max: REMEMBERED });
  readonly #notBefore = new LRUCache<string, number>({ max: REMEMBERED });
  readonly #lookUps = new BatchedCalls<Asked, number | null>((asked) => this.#firstLeaves(asked), { maxBatch: MAX_BATCH, retryAlone: () => false });

  constructor(
    private readonly db: Db,
    private readonly logs: QueueLogs,
    private readonly openings: QueueOpenings,
    private readonly clock: Clock,
  ) {}

  /** The leaf index of the holder's first entry; `position` is their ticket's (null before a pre-queue's draw). */
  async of(campaignId: string, personKey: string, position: number | null): Promise<number | null> {
    const pending = this.logs.forCampaign(campaignId);
    if (!pending) return null;
    if (position !== null) {
      const log = await pending;
      // What another node stored reaches this one's copy within a follow (not awaited: the answer does not wait for it).
      log.follow().catch(() => {});
      const leaf = log.places.leafOf(position);
      if (leaf !== null || !log.places.drawn(position)) return leaf;
    }
    return this.ofEntered(campaignId, personKey);
  }

  /** A pre-queue holder's `enter` entry, by their commitment. */
  private async ofEntered(campaignId: string, personKey: string): Promise<number | null> {
    // Keyed by the person key in this node's memory (as KnownPlaces is): a known entry costs no hash.
    const key = `${campaignId} ${personKey}`;
    const known = this.#found.get(key);
    if (known !== undefined) return known;
    const now = this.clock.now().getTime();
    if ((this.#notBefore.get(key) ?? 0) > now) return null;
    const found = await this.#lookUps.call({ campaignId, subject: this.openings.commitment(campaignId, personKey).toString('base64') });
    if (found === null) {
      this.#notBefore.set(key, this.clock.now().getTime() + RETRY_MS);
      return null;
    }
    this.#found.set(key, found);
    this.#notBefore.delete(key);
    return found;
  }

  /** One batch's look-ups: a read per campaign asked about (almost always one). */
  async #firstLeaves(asked: Asked[]): Promise<(number | null)[]> {
    const byCampaign = new Map<string, string[]>();
    for (const { campaignId, subject } of asked) (byCampaign.get(campaignId) ?? byCampaign.set(campaignId, []).get(campaignId)!).push(subject);
    const leaves = new Map<string, Map<string, number>>();
    for (const [campaignId, subjects] of byCampaign) leaves.set(campaignId, await firstLeavesOf(this.db, campaignId, [...new Set(subjects)]));
    return asked.map(({ campaignId, subject }) => leaves.get(campaignId)?.get(subject) ?? null);
  }
}
